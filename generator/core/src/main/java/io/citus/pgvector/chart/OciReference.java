package io.citus.pgvector.chart;

import io.citus.pgvector.Failure;
import io.citus.pgvector.Failure.Kind;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * An {@code oci://HOST[:PORT]/PATH} reference as the user gives it, checked before Helm sees it, so that a reference no
 * registry can hold is the user's mistake (exit 3), not a registry failure.
 */
public final class OciReference {

    /** A repository path component as the OCI distribution spec allows it: lowercase, separators between. */
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");

    private OciReference() {}

    /** The reference parsed and checked; {@code option} names where it came from in the messages. */
    public static URI parse(String reference, String option) throws Failure {
        URI uri;
        try {
            uri = new URI(reference);
        } catch (URISyntaxException e) {
            throw new Failure(Kind.INVALID_INPUT, option + " is not a valid reference: " + e.getMessage());
        }
        if (!"oci".equals(uri.getScheme()) || uri.getAuthority() == null) {
            throw new Failure(
                    Kind.INVALID_INPUT,
                    option + " must be an oci://HOST[:PORT]/PATH reference, got \"" + reference + "\"");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
        if (!path.isEmpty()) {
            for (String component : path.split("/", -1)) {
                if (!PATH_COMPONENT.matcher(component).matches()) {
                    throw new Failure(
                            Kind.INVALID_INPUT,
                            option + " \"" + reference + "\": the repository path component \"" + component
                                    + "\" is not allowed: OCI registries take lowercase letters and digits, with"
                                    + " separators (. _ __ -) between them");
                }
            }
        }
        return uri;
    }
}
