package io.citus.pgvector.model;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * String formats the values use. The patterns of quantities are the operator CRD's own, so a value accepted here is
 * accepted by the API server; Kubernetes allows more forms (e.g. {@code 500m} memory) that the operator rejects.
 */
public enum Format {
    DNS_LABEL("^[a-z]([-a-z0-9]*[a-z0-9])?$", "must be a lowercase DNS label (a-z, 0-9, '-', starting with a letter)"),
    CPU("^(\\d+m|\\d+(\\.\\d{1,3})?)$", "must be a CPU quantity such as 500m, 1 or 1.5"),
    MEMORY("^(\\d+(e\\d+)?|\\d+(\\.\\d+)?(e\\d+)?[EPTGMK]i?)$", "must be a quantity such as 512Mi, 8Gi or 1G"),
    /** Each field within its range in the pattern itself, so values.schema.json refuses what the generator does. */
    CRON(
            "^" + Cron.field("0*([0-9]|[1-5][0-9])") + "\\s+" + Cron.field("0*([0-9]|1[0-9]|2[0-3])") + "\\s+"
                    + Cron.field("0*([1-9]|[12][0-9]|3[01])") + "\\s+" + Cron.field("0*([1-9]|1[0-2])") + "\\s+"
                    + Cron.field("0*[0-7]") + "$",
            "must be a 5-field cron expression such as \"30 0 * * *\""),
    IMAGE_REPOSITORY(
            "^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$",
            "must be an image repository such as ghcr.io/org/image (lowercase, no tag)"),
    IMAGE_TAG("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", "must be an image tag (letters, digits, '_', '.', '-')"),
    S3_BUCKET("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", "must be a bucket name (3-63 lowercase letters, digits, '.', '-')"),
    OBJECT_PREFIX("^[A-Za-z0-9!_.*'()/-]*$", "must be an object key prefix without spaces"),
    TEXT("^\\S(.*\\S)?$", "must not be empty or start or end with a space"),
    DNS_SUBDOMAIN(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
            "must be a lowercase DNS subdomain (a-z, 0-9, '-', '.')"),
    IMAGE_REFERENCE(
            "^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
                    + "(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$",
            "must be an image reference such as ghcr.io/org/image:tag"),
    DURATION("^([0-9]+(ms|s|m|h))+$", "must be a duration such as 30s, 5m or 2160h"),
    FILE_NAME("^[A-Za-z0-9._-]+$", "must be a file name (letters, digits, '.', '_', '-')"),
    /** A point in time with an offset: the operator CRD's pattern of {@code clone.timestamp} (both lines). */
    TIMESTAMP(
            "^([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)"
                    + "(\\.[0-9]+)?(([+-]([01][0-9]|2[0-3]):[0-5][0-9]))$",
            "must be a time with an offset such as 2026-12-08T01:15:00.000000+00:00 (RFC 3339; \"Z\" is not"
                    + " accepted by the operator)"),
    /** A PostgreSQL restore point name as the restore point job makes them. */
    RESTORE_POINT_NAME(
            "^[a-z0-9][a-zA-Z0-9._-]{0,62}$",
            "must be a restore point name (letters, digits, '.', '_', '-', at most 63 characters)"),
    /** A PostgreSQL role name that needs no quoting: also a Secret key and a file name as it is. */
    ROLE_NAME(
            "^[a-z_][a-z0-9_]{0,62}$",
            "must be a lowercase PostgreSQL identifier (a-z, 0-9, '_', not starting with a digit, at most 63"
                    + " characters)"),
    /** IPv4 or IPv6 address range: the operator CRD's (v2.0) pattern of allowedSourceRanges. */
    CIDR("^(" + Cidr.IPV4 + "|" + Cidr.IPV6 + ")$", "must be an address range such as 10.0.0.0/8 or fd00::/8"),
    /** One IPv4 or IPv6 address, as a certificate's IP addresses take it. */
    IP_ADDRESS(
            "^(" + Cidr.IPV4_ADDRESS + "|" + Cidr.IPV6_ADDRESS + ")$",
            "must be an IP address such as 203.0.113.10 or 2001:db8::10");

    /** Parts of the CRON pattern. */
    static final class Cron {
        /** Five fields of digits or '*', each with an optional step, ranges aside: what the error message explains. */
        static final Pattern SHAPE = Pattern.compile("^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$");

        static String field(String value) {
            return "(" + value + "|\\*)(/0*[1-9][0-9]{0,2})?";
        }

        private Cron() {}
    }

    /** Parts of the CIDR pattern (an enum constant cannot refer to the enum's own static fields). */
    static final class Cidr {
        private static final String OCTET = "(\\d|[1-9]\\d|1\\d\\d|2[0-4]\\d|25[0-5])";
        static final String IPV4_ADDRESS = OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET;
        /** The only form operator line 1.15 accepts. */
        static final String IPV4 = IPV4_ADDRESS + "\\/(\\d|[1-2]\\d|3[0-2])";

        private static final String H = "[0-9a-fA-F]{1,4}";
        static final String IPV6_ADDRESS = "((" + H + ":){7}" + H + "|(" + H + ":){1,7}:|(" + H + ":){1,6}:" + H
                + "|(" + H + ":){1,5}(:" + H + "){1,2}|(" + H + ":){1,4}(:" + H + "){1,3}|(" + H + ":){1,3}(:" + H
                + "){1,4}|(" + H + ":){1,2}(:" + H + "){1,5}|" + H + ":((:" + H + "){1,6})|:((:" + H + "){1,7}|:))";
        static final String IPV6 = IPV6_ADDRESS + "\\/(12[0-8]|1[01][0-9]|[1-9]?[0-9])";

        private Cidr() {}
    }

    /** Whether an address range (already a valid {@link #CIDR}) is IPv4. */
    public static boolean isIpv4Range(String range) {
        return Pattern.matches(Cidr.IPV4, range);
    }

    private static final int MAX_DNS_LABEL = 63;
    private static final int MAX_DNS_SUBDOMAIN = 253;
    private static final long[][] CRON_RANGES = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
    private static final String[] CRON_FIELDS = {"minute", "hour", "day of month", "month", "day of week"};

    private final Pattern pattern;
    private final String requirement;

    Format(String regex, String requirement) {
        this.pattern = Pattern.compile(regex);
        this.requirement = requirement;
    }

    public String regex() {
        return pattern.pattern();
    }

    /**
     * The longest value of this format, or 0 for no limit: with the pattern, everything {@link #check} refuses, so
     * values.schema.json (pattern and maxLength) refuses the same values.
     */
    public int maxLength() {
        return switch (this) {
            case DNS_LABEL -> MAX_DNS_LABEL;
            case DNS_SUBDOMAIN -> MAX_DNS_SUBDOMAIN;
            default -> 0;
        };
    }

    /** Why {@code value} is not of this format, or empty when it is. */
    public Optional<String> check(String value) {
        if (!pattern.matcher(value).matches()) {
            if (this == CRON && Cron.SHAPE.matcher(value).matches()) {
                return checkCronRanges(value);
            }
            return Optional.of(requirement);
        }
        if (maxLength() > 0 && value.length() > maxLength()) {
            return Optional.of("must be at most " + maxLength() + " characters");
        }
        return Optional.empty();
    }

    /** Which field of a cron expression of the right shape is out of its range (or has a step out of 1-999). */
    private static Optional<String> checkCronRanges(String value) {
        String[] fields = value.trim().split("\\s+");
        for (int i = 0; i < fields.length; i++) {
            String[] parts = fields[i].split("/");
            if (!parts[0].equals("*")) {
                java.math.BigInteger n = new java.math.BigInteger(parts[0]);
                if (n.compareTo(java.math.BigInteger.valueOf(CRON_RANGES[i][0])) < 0
                        || n.compareTo(java.math.BigInteger.valueOf(CRON_RANGES[i][1])) > 0) {
                    return Optional.of("has " + CRON_FIELDS[i] + " " + n + " outside " + CRON_RANGES[i][0] + "-"
                            + CRON_RANGES[i][1]);
                }
            }
            if (parts.length > 1) {
                java.math.BigInteger step = new java.math.BigInteger(parts[1]);
                if (step.signum() == 0 || step.compareTo(java.math.BigInteger.valueOf(999)) > 0) {
                    return Optional.of("has a " + CRON_FIELDS[i] + " step " + step + " outside 1-999");
                }
            }
        }
        return Optional.of("must be a 5-field cron expression such as \"30 0 * * *\"");
    }
}
