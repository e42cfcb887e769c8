package io.citus.pgvector.chart;

import com.fasterxml.jackson.databind.JsonNode;
import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import io.citus.pgvector.model.ValuesLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Helm's provenance file ({@code NAME-VERSION.tgz.prov}, Helm's {@code pkg/provenance}): an OpenPGP clear-signed
 * message (SHA-512, canonical text) of the archive's Chart.yaml as Helm serialises it, a line {@code ...}, and
 * {@code files:} with the archive's file name and {@code sha256:} digest. Signed with the primary key of the PGP key
 * the user gives, as {@code helm package --sign} does, so {@code helm verify} and {@code helm install --verify} accept
 * it.
 */
public final class Provenance {

    public static final String SUFFIX = ".prov";

    private static final String BEGIN_MESSAGE = "-----BEGIN PGP SIGNED MESSAGE-----";
    private static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
    private static final String END_SIGNATURE = "-----END PGP SIGNATURE-----";
    private static final String SEPARATOR = "\n...\n";

    private Provenance() {}

    /** The secret key to sign with: a key file, which key in it (a user-id substring), and its passphrase. */
    public record SigningKey(Path keyFile, Optional<String> keyName, Optional<char[]> passphrase) {}

    /** Who signed an archive that verified. */
    public record Signer(String userId, String keyId) {}

    /** The message Helm signs for an archive: its Chart.yaml, {@code ...}, and the archive's digest. */
    static byte[] messageBlock(ChartArchive archive) throws IOException {
        String digest = ChartArchive.sha256(archive.path());
        String files = "files:\n  " + archive.path().getFileName() + ": sha256:" + digest + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(archive.chartYaml());
        out.write(SEPARATOR.getBytes(StandardCharsets.UTF_8));
        out.write(files.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Fails now, before anything is written, when the key cannot sign: no such key, or a passphrase that does not fit. */
    public static void checkKey(SigningKey key) throws Failure {
        unlock(secretKey(key), key);
    }

    /**
     * Fails when a provenance file does not record this archive's digest: a signature left from an earlier packaging
     * that would be pushed beside a different archive.
     */
    public static void checkDigest(Path archivePath, Path prov) throws Failure {
        Clearsigned signed;
        try {
            signed = parse(prov, Files.readString(prov, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, prov + ": cannot read: " + e, e);
        }
        String recorded = recordedDigest(
                prov,
                String.join("\n", signed.lines()),
                archivePath.getFileName().toString());
        String actual;
        try {
            actual = "sha256:" + ChartArchive.sha256(archivePath);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, archivePath + ": cannot read: " + e, e);
        }
        if (!recorded.equals(actual)) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    prov + " signs another archive (" + recorded + ", this one is " + actual + "): sign this archive"
                            + " again (--sign) or remove the stale provenance file; nothing was pushed");
        }
    }

    /** Signs the archive and writes ARCHIVE.prov beside it; returns that file. */
    public static Path sign(ChartArchive archive, SigningKey key) throws Failure {
        PGPSecretKey secret = secretKey(key);
        PGPPrivateKey privateKey = unlock(secret, key);
        byte[] message;
        try {
            message = messageBlock(archive);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, archive.path() + ": cannot read: " + e, e);
        }
        String text = new String(message, StandardCharsets.UTF_8);
        String provenance;
        try {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(secret.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512),
                    secret.getPublicKey());
            generator.init(PGPSignature.CANONICAL_TEXT_DOCUMENT, privateKey);
            generator.update(signedBytes(lines(text)));
            provenance = clearSigned(text, generator.generate().getEncoded());
        } catch (PGPException | IOException e) {
            throw new Failure(Kind.INVALID_INPUT, key.keyFile() + ": cannot sign with this key: " + e.getMessage(), e);
        }
        Path prov = archive.path().resolveSibling(archive.path().getFileName() + SUFFIX);
        try {
            Path staging = Files.createTempFile(prov.toAbsolutePath().getParent(), ".citus-pgvector-", SUFFIX);
            Files.writeString(staging, provenance, StandardCharsets.UTF_8);
            ChartArchive.readableByAll(staging);
            Files.move(staging, prov, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, "cannot write " + prov + ": " + e, e);
        }
        return prov;
    }

    /**
     * Checks an archive against its provenance file and a keyring, as {@code helm verify} does: the signature is by a
     * key in the keyring and over this text, and the text names this archive's file with its SHA-256.
     *
     * @throws Failure INVALID_INPUT when the keyring or the provenance file cannot be read; the verification itself
     *     fails with {@link Rejected}
     */
    public static Signer verify(Path archivePath, Path prov, Path keyring) throws Failure {
        ChartArchive.read(archivePath);
        List<PGPPublicKey> keys = publicKeys(keyring);
        String text;
        try {
            text = Files.readString(prov, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Failure(
                    Kind.INVALID_INPUT, prov + ": no provenance file beside the archive (" + e.getMessage() + ")");
        }
        Clearsigned signed = parse(prov, text);
        PGPSignature signature = signed.signature();
        PGPPublicKey signer = keys.stream()
                .filter(k -> k.getKeyID() == signature.getKeyID())
                .findFirst()
                .orElseThrow(() -> new Rejected(
                        prov + ": signed by key " + keyId(signature.getKeyID()) + ", which is not in " + keyring));
        try {
            signature.init(new BcPGPContentVerifierBuilderProvider(), signer);
            signature.update(signedBytes(signed.lines()));
            if (!signature.verify()) {
                throw new Rejected(prov + ": the signature does not match its text: the provenance file was altered");
            }
        } catch (PGPException e) {
            throw new Rejected(prov + ": the signature cannot be checked: " + e.getMessage());
        }
        String plaintext = String.join("\n", signed.lines());
        String name = archivePath.getFileName().toString();
        String recorded = recordedDigest(prov, plaintext, name);
        String actual;
        try {
            actual = "sha256:" + ChartArchive.sha256(archivePath);
        } catch (IOException e) {
            throw new Failure(Kind.ENVIRONMENT, archivePath + ": cannot read: " + e, e);
        }
        if (!recorded.equals(actual)) {
            throw new Rejected(archivePath + ": its digest " + actual + " is not the signed one " + recorded
                    + ": the archive was changed after it was signed");
        }
        List<String> ids = userIds(signer);
        return new Signer(ids.isEmpty() ? "(no user id)" : ids.get(0), keyId(signer.getKeyID()));
    }

    /** A provenance check that failed: the archive is not what the key's owner signed. */
    public static final class Rejected extends Failure {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(Kind.INVALID_INPUT, message);
        }
    }

    private record Clearsigned(List<String> lines, PGPSignature signature) {}

    /** The cleartext lines (dash-escaping undone) and the signature of a clear-signed message. */
    private static Clearsigned parse(Path prov, String text) throws Failure {
        List<String> all = List.of(text.split("\r?\n", -1));
        int at = 0;
        if (all.isEmpty() || !all.get(0).strip().equals(BEGIN_MESSAGE)) {
            throw new Failure(Kind.INVALID_INPUT, prov + ": not a provenance file (no " + BEGIN_MESSAGE + ")");
        }
        at++;
        while (at < all.size() && !all.get(at).isEmpty()) {
            at++;
        }
        at++;
        List<String> lines = new ArrayList<>();
        while (at < all.size() && !all.get(at).equals(BEGIN_SIGNATURE)) {
            String line = all.get(at++);
            lines.add(line.startsWith("- ") ? line.substring(2) : line);
        }
        if (at >= all.size()) {
            throw new Failure(Kind.INVALID_INPUT, prov + ": not a provenance file (no " + BEGIN_SIGNATURE + ")");
        }
        String armored = String.join("\n", all.subList(at, all.size()));
        try (InputStream in =
                new ArmoredInputStream(new ByteArrayInputStream(armored.getBytes(StandardCharsets.US_ASCII)))) {
            Object object = new BcPGPObjectFactory(in).nextObject();
            if (!(object instanceof PGPSignatureList list) || list.isEmpty()) {
                throw new Failure(Kind.INVALID_INPUT, prov + ": its signature block holds no signature");
            }
            return new Clearsigned(lines, list.get(0));
        } catch (IOException e) {
            throw new Failure(Kind.INVALID_INPUT, prov + ": its signature block is unreadable: " + e.getMessage());
        }
    }

    /** The digest the signed text records for the file name, as Helm reads it. */
    private static String recordedDigest(Path prov, String plaintext, String name) throws Failure {
        int separator = plaintext.indexOf(SEPARATOR);
        if (separator < 0) {
            throw new Rejected(prov + ": the signed text has no '...' line before the files' digests");
        }
        try {
            JsonNode files = ValuesLoader.YAML
                    .readTree(plaintext.substring(separator + SEPARATOR.length()))
                    .path("files");
            JsonNode digest = files.path(name);
            if (!digest.isTextual()) {
                throw new Rejected(prov + ": the signed text has no digest for a file named " + name + " (it names "
                        + String.join(", ", iterable(files.fieldNames())) + ")");
            }
            return digest.textValue();
        } catch (IOException e) {
            throw new Rejected(prov + ": the signed digests are not YAML: " + e.getMessage());
        }
    }

    private static List<String> iterable(Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    /** Text lines of a message that ends with a line break, without that last break. */
    private static List<String> lines(String text) {
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return List.of(body.split("\n", -1));
    }

    /** What a text signature covers (RFC 4880 7.1): lines without trailing blanks, joined by CR LF. */
    private static byte[] signedBytes(List<String> lines) {
        StringBuilder canonical = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                canonical.append("\r\n");
            }
            canonical.append(lines.get(i).replaceAll("[ \t\r]+$", ""));
        }
        return canonical.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The clear-signed document laid out as Go's openpgp/clearsign writes it, which is what Helm writes. */
    private static String clearSigned(String text, byte[] signature) {
        StringBuilder out = new StringBuilder();
        out.append(BEGIN_MESSAGE).append("\nHash: SHA512\n\n");
        for (String line : lines(text)) {
            out.append(line.startsWith("-") ? "- " + line : line).append('\n');
        }
        out.append(BEGIN_SIGNATURE).append("\n\n");
        String base64 = Base64.getEncoder().encodeToString(signature);
        for (int i = 0; i < base64.length(); i += 64) {
            out.append(base64, i, Math.min(base64.length(), i + 64)).append('\n');
        }
        byte[] crc = crc24(signature);
        out.append('=').append(Base64.getEncoder().encodeToString(crc)).append('\n');
        out.append(END_SIGNATURE);
        return out.toString();
    }

    /** The armor checksum of RFC 4880 6.1, as three bytes. */
    private static byte[] crc24(byte[] data) {
        int crc = 0xB704CE;
        for (byte b : data) {
            crc ^= (b & 0xff) << 16;
            for (int i = 0; i < 8; i++) {
                crc <<= 1;
                if ((crc & 0x1000000) != 0) {
                    crc ^= 0x1864CFB;
                }
            }
        }
        return new byte[] {(byte) (crc >> 16), (byte) (crc >> 8), (byte) crc};
    }

    private static PGPSecretKey secretKey(SigningKey key) throws Failure {
        List<PGPSecretKeyRing> rings = new ArrayList<>();
        for (Object object : objects(key.keyFile(), "secret key")) {
            if (object instanceof PGPSecretKeyRing ring) {
                rings.add(ring);
            }
        }
        if (rings.isEmpty()) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    key.keyFile() + ": holds no secret key (export one with gpg --export-secret-keys KEY-ID)");
        }
        List<PGPSecretKeyRing> chosen = rings;
        if (key.keyName().isPresent()) {
            String name = key.keyName().get();
            List<PGPSecretKeyRing> exact = rings.stream()
                    .filter(r -> userIds(r.getPublicKey()).contains(name))
                    .toList();
            chosen = !exact.isEmpty()
                    ? exact
                    : rings.stream()
                            .filter(r -> userIds(r.getPublicKey()).stream().anyMatch(id -> id.contains(name)))
                            .toList();
            if (chosen.isEmpty()) {
                throw new Failure(
                        Kind.INVALID_INPUT,
                        "--key-name \"" + name + "\": no key in " + key.keyFile() + " has such a user id (it holds "
                                + describe(rings) + ")");
            }
        }
        if (chosen.size() > 1) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    key.keyFile() + " holds " + chosen.size() + " keys that fit (" + describe(chosen)
                            + "); choose one with --key-name");
        }
        PGPSecretKey secret = chosen.get(0).getSecretKey();
        if (secret.isPrivateKeyEmpty()) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    key.keyFile() + ": the primary key of " + userId(secret.getPublicKey())
                            + " has no secret part (a stub, e.g. kept on a smart card); Helm signs with the primary key");
        }
        return secret;
    }

    private static PGPPrivateKey unlock(PGPSecretKey secret, SigningKey key) throws Failure {
        boolean encrypted = secret.getS2KUsage() != 0;
        if (encrypted && key.passphrase().isEmpty()) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    key.keyFile() + ": the key of " + userId(secret.getPublicKey())
                            + " is protected by a passphrase; give it with --passphrase-stdin or the environment"
                            + " variable CITUS_PGVECTOR_SIGNING_PASSPHRASE");
        }
        try {
            return secret.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(key.passphrase().orElse(new char[0])));
        } catch (PGPException e) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    key.keyFile() + ": the passphrase does not unlock the key of " + userId(secret.getPublicKey()));
        }
    }

    private static List<PGPPublicKey> publicKeys(Path keyring) throws Failure {
        List<PGPPublicKey> keys = new ArrayList<>();
        for (Object object : objects(keyring, "keyring")) {
            Iterator<PGPPublicKey> ring = object instanceof PGPPublicKeyRing p
                    ? p.getPublicKeys()
                    : object instanceof PGPSecretKeyRing s ? s.getPublicKeys() : null;
            if (ring != null) {
                ring.forEachRemaining(keys::add);
            }
        }
        if (keys.isEmpty()) {
            throw new Failure(
                    Kind.INVALID_INPUT, keyring + ": holds no public key (export one with gpg --export KEY-ID)");
        }
        return keys;
    }

    /** The OpenPGP objects of a key file, binary or ASCII-armored. */
    private static List<Object> objects(Path file, String what) throws Failure {
        if (!Files.isRegularFile(file)) {
            throw new Failure(Kind.INVALID_INPUT, file + ": no such " + what + " file");
        }
        List<Object> objects = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(file))) {
            BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
            for (Object object; (object = factory.nextObject()) != null; ) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            if (objects.isEmpty()) {
                throw new Failure(
                        Kind.INVALID_INPUT, file + ": not an OpenPGP " + what + " file (" + e.getMessage() + ")");
            }
        }
        return objects;
    }

    private static List<String> userIds(PGPPublicKey key) {
        return iterable(key.getUserIDs());
    }

    private static String userId(PGPPublicKey key) {
        List<String> ids = userIds(key);
        return (ids.isEmpty() ? "(no user id)" : ids.get(0)) + " [" + keyId(key.getKeyID()) + "]";
    }

    private static String describe(List<PGPSecretKeyRing> rings) {
        return String.join(
                "; ", rings.stream().map(r -> userId(r.getPublicKey())).toList());
    }

    private static String keyId(long id) {
        return String.format(Locale.ROOT, "%016X", id);
    }
}
