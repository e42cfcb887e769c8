package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.model.ValuesLoader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A packaged chart as Helm writes it ({@code chartutil.Save}): a gzip stream with Helm's header (an extra field and the
 * comment "Helm") around a USTAR tar whose first entry is {@code NAME/Chart.yaml}. Reads the chart's metadata from it,
 * and makes it reproducible: Helm stamps every entry with the time of packaging, which is the only thing that differs
 * between two packagings of the same folder.
 */
public final class ChartArchive {

    /** The entry and archive time of reproducible archives: 1980-01-01T00:00:00Z, or SOURCE_DATE_EPOCH when set. */
    public static final Instant DEFAULT_TIME = Instant.parse("1980-01-01T00:00:00Z");

    private static final int BLOCK = 512;
    private static final int MTIME_OFFSET = 136;
    private static final int MTIME_LENGTH = 12;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_LENGTH = 8;
    /** Helm's gzip header extra field, written by chartutil.Save; kept so the archive stays byte-for-byte Helm's. */
    private static final byte[] HELM_EXTRA =
            "+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=".getBytes(StandardCharsets.US_ASCII);

    private final Path path;
    private final String name;
    private final String version;
    private final byte[] chartYaml;

    private ChartArchive(Path path, String name, String version, byte[] chartYaml) {
        this.path = path;
        this.name = name;
        this.version = version;
        this.chartYaml = chartYaml;
    }

    /** Opens a chart archive; a file that is not one is the caller's input mistake. */
    public static ChartArchive read(Path archive) throws Failure {
        if (Files.isDirectory(archive)) {
            throw new Failure(Kind.INVALID_INPUT, archive + ": is a folder, not a chart archive (.tgz)");
        }
        if (!Files.isRegularFile(archive)) {
            throw new Failure(Kind.INVALID_INPUT, archive + ": no such chart archive");
        }
        List<Entry> entries;
        try {
            entries = entries(archive);
        } catch (ZipException | EOFException | IllegalArgumentException e) {
            throw notAChart(archive, "not a gzip-compressed tar archive (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, archive + ": cannot read: " + e, e);
        }
        if (entries.isEmpty() || !entries.get(0).name().endsWith("/Chart.yaml")) {
            throw notAChart(archive, "its first entry is not NAME/Chart.yaml");
        }
        Entry first = entries.get(0);
        try {
            JsonNode metadata = ValuesLoader.YAML.readTree(first.content());
            String name = metadata.path("name").asText("");
            String version = metadata.path("version").asText("");
            if (name.isEmpty() || version.isEmpty()) {
                throw notAChart(archive, first.name() + " has no name or version");
            }
            return new ChartArchive(archive, name, version, first.content());
        } catch (IOException e) {
            throw notAChart(archive, first.name() + " is not YAML: " + e.getMessage());
        }
    }

    private static Failure notAChart(Path archive, String why) {
        return new Failure(Kind.INVALID_INPUT, archive + ": not a chart archive: " + why);
    }

    public Path path() {
        return path;
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    /** The archive's Chart.yaml exactly as stored: Helm's serialisation of the chart's metadata. */
    public byte[] chartYaml() {
        return chartYaml.clone();
    }

    /** The file name Helm gives this chart's archive. */
    public String fileName() {
        return name + "-" + version + ".tgz";
    }

    /** The time reproducible archives carry: SOURCE_DATE_EPOCH (seconds) when set, else {@link #DEFAULT_TIME}. */
    public static Instant reproducibleTime() throws Failure {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch == null || epoch.isBlank()) {
            return DEFAULT_TIME;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(epoch.strip()));
        } catch (NumberFormatException e) {
            throw new Failure(
                    Kind.INVALID_INPUT, "SOURCE_DATE_EPOCH must be a number of seconds, got \"" + epoch + "\"");
        }
    }

    /**
     * Rewrites an archive Helm packaged so that packaging the same files always gives the same bytes: every entry's
     * time and the file's own modification time (which {@code helm push} records as the chart's creation time) become
     * {@code time}; names, modes, order and contents stay Helm's.
     */
    public static void makeReproducible(Path archive, Instant time) throws IOException {
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            tar = in.readAllBytes();
        }
        byte[] mtime = octal(time.getEpochSecond(), MTIME_LENGTH);
        for (int offset = 0; offset + BLOCK <= tar.length; ) {
            if (isZeroBlock(tar, offset)) {
                break;
            }
            System.arraycopy(mtime, 0, tar, offset + MTIME_OFFSET, MTIME_LENGTH);
            Arrays.fill(tar, offset + CHECKSUM_OFFSET, offset + CHECKSUM_OFFSET + CHECKSUM_LENGTH, (byte) ' ');
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                sum += tar[offset + i] & 0xff;
            }
            byte[] checksum = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(checksum, 0, tar, offset + CHECKSUM_OFFSET, 6);
            tar[offset + CHECKSUM_OFFSET + 6] = 0;
            tar[offset + CHECKSUM_OFFSET + 7] = ' ';
            long size = parseOctal(tar, offset + 124, 12);
            offset += BLOCK + (int) ((size + BLOCK - 1) / BLOCK) * BLOCK;
        }
        Path staging = Files.createTempFile(archive.toAbsolutePath().getParent(), ".citus-pgvector-", ".tgz");
        try {
            try (OutputStream out = Files.newOutputStream(staging)) {
                writeGzip(tar, out);
            }
            readableByAll(staging);
            Files.setLastModifiedTime(staging, FileTime.from(time));
            Files.move(staging, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(staging);
        }
    }

    /** rw-r--r--, as Helm creates its files (a temporary file starts as rw-------). */
    static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** gzip as Helm writes it (RFC 1952 with FEXTRA and FCOMMENT, no time, no name), at the default compression level as Helm. */
    private static void writeGzip(byte[] data, OutputStream out) throws IOException {
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0x04 | 0x10, 0, 0, 0, 0, 0, (byte) 0xff});
        out.write(HELM_EXTRA.length & 0xff);
        out.write(HELM_EXTRA.length >> 8);
        out.write(HELM_EXTRA);
        out.write("Helm".getBytes(StandardCharsets.US_ASCII));
        out.write(0);
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            deflater.setInput(data);
            deflater.finish();
            byte[] buffer = new byte[64 * 1024];
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                out.write(buffer, 0, n);
            }
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(data);
        writeInt(out, (int) crc.getValue());
        writeInt(out, data.length);
    }

    private static void writeInt(OutputStream out, int value) throws IOException {
        for (int i = 0; i < 4; i++) {
            out.write((value >>> (8 * i)) & 0xff);
        }
    }

    /** One regular file of the archive. */
    record Entry(String name, byte[] content) {}

    /** The regular files of a gzip-compressed USTAR archive, in order. */
    static List<Entry> entries(Path archive) throws IOException {
        byte[] tar;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive))) {
            tar = in.readAllBytes();
        }
        List<Entry> entries = new ArrayList<>();
        for (int offset = 0; offset + BLOCK <= tar.length; ) {
            if (isZeroBlock(tar, offset)) {
                break;
            }
            if (!"ustar".equals(string(tar, offset + 257, 5))) {
                throw new IllegalArgumentException("a tar header that is not USTAR at offset " + offset);
            }
            String name = string(tar, offset, 100);
            String prefix = string(tar, offset + 345, 155);
            long size = parseOctal(tar, offset + 124, 12);
            byte type = tar[offset + 156];
            int start = offset + BLOCK;
            if (start + size > tar.length) {
                throw new EOFException("the tar entry " + name + " is cut short");
            }
            if (type == '0' || type == 0) {
                entries.add(new Entry(
                        prefix.isEmpty() ? name : prefix + "/" + name,
                        Arrays.copyOfRange(tar, start, start + (int) size)));
            }
            offset = start + (int) ((size + BLOCK - 1) / BLOCK) * BLOCK;
        }
        return entries;
    }

    private static boolean isZeroBlock(byte[] tar, int offset) {
        for (int i = 0; i < BLOCK; i++) {
            if (tar[offset + i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static String string(byte[] block, int offset, int length) {
        int end = offset;
        while (end < offset + length && block[end] != 0) {
            end++;
        }
        return new String(block, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] block, int offset, int length) {
        String text = string(block, offset, length).strip();
        if (text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a tar header with a malformed number \"" + text + "\"");
        }
    }

    /** A USTAR numeric field: zero-padded octal digits and a terminating NUL. */
    private static byte[] octal(long value, int length) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(length - 1 - digits.length()) + digits;
        byte[] field = new byte[length];
        System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, field, 0, length - 1);
        return field;
    }

    /** The SHA-256 of a file, as lowercase hex. */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
