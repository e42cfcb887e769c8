package io.citus.pgvector.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.helm.HelmException;
import io.citus.pgvector.render.RenderedChart;
import io.citus.pgvector.testing.ProjectFiles;
import io.citus.pgvector.validation.CrdSchemaValidator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the operator exposes: it gives a cluster a LoadBalancer or NodePort Service from the resource's
 * enable*LoadBalancer / enable*NodePort fields and, where a field is missing, from its own configuration
 * (enable_master_load_balancer is true in the operator's code), so every postgresql resource must carry every such
 * field its line's CRD has, false unless externalAccess asks. The field names come from the upstream CRDs of both
 * lines (skipped where those fixtures are missing).
 */
@DisplayName("exposure fields of every postgresql resource")
class ExposureRenderingTest {

    private static final Path CHART = ProjectFiles.committedChart();
    private static final Pattern EXPOSURE = Pattern.compile("^enable(Master|Replica)(Pooler)?(LoadBalancer|NodePort)$");

    /** The exposure fields of a line's postgresql CRD (spec properties). */
    private static List<String> exposureFields(String line) throws IOException {
        String file = line.equals("2.0") ? "postgresql.crd.yaml" : "v1.15.1/postgresql.crd.yaml";
        Optional<Path> crd = CrdSchemaValidator.locateCrd(file);
        assumeTrue(crd.isPresent(), "the operator's CRD " + file + " is not here (zalando.crd.dir)");
        JsonNode spec = new ObjectMapper(new YAMLFactory())
                .readTree(crd.get().toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties");
        List<String> fields = new ArrayList<>();
        spec.fieldNames().forEachRemaining(name -> {
            if (EXPOSURE.matcher(name).matches()) {
                fields.add(name);
            }
        });
        assertThat(fields).as("exposure fields of line %s", line).isNotEmpty();
        return fields;
    }

    private static RenderedChart render(String line, Map<String, String> more) throws HelmException {
        Map<String, String> set = new HashMap<>(more);
        set.put("operator.line", line);
        set.put("workers.count", "2");
        return Charts.render(CHART, set);
    }

    @ParameterizedTest(name = "operator line {0}")
    @ValueSource(strings = {"1.15", "2.0"})
    @DisplayName("without externalAccess: every exposure field of the line's CRD is an explicit false everywhere")
    void explicitFalseByDefault(String line) throws Exception {
        List<String> fields = exposureFields(line);
        for (Map<String, String> set : List.of(Map.<String, String>of(), Map.of("pooler.enabled", "true"))) {
            RenderedChart chart = render(line, set);
            List<JsonNode> resources = chart.ofKind("postgresql");
            assertThat(resources).hasSize(3);
            for (JsonNode resource : resources) {
                JsonNode spec = resource.path("spec");
                for (String field : fields) {
                    assertThat(spec.path(field).isBoolean())
                            .as("%s %s: %s with %s", line, resource.at("/metadata/name"), field, set)
                            .isTrue();
                    assertThat(spec.path(field).booleanValue())
                            .as("%s %s", resource.at("/metadata/name"), field)
                            .isFalse();
                }
                assertThat(spec.has("masterServiceAnnotations")).isFalse();
            }
        }
    }

    @ParameterizedTest(name = "operator line {0}")
    @ValueSource(strings = {"1.15", "2.0"})
    @DisplayName("the pooler alone exposed: only its field true, and the annotations written (the operator puts them on"
            + " the pooler's Service too)")
    void poolerOnly(String line) throws Exception {
        List<String> fields = exposureFields(line);
        RenderedChart chart = render(
                line,
                Map.of(
                        "pooler.enabled", "true",
                        "externalAccess.enabled", "true",
                        "externalAccess.coordinator", "false",
                        "externalAccess.pooler", "true",
                        "externalAccess.serviceAnnotations.example\\.com/internal", "true"));
        for (JsonNode resource : chart.ofKind("postgresql")) {
            String name = resource.at("/metadata/name").asText();
            JsonNode spec = resource.path("spec");
            boolean coordinator = name.equals("citus-coordinator");
            for (String field : fields) {
                assertThat(spec.path(field).isBoolean())
                        .as("%s: %s", name, field)
                        .isTrue();
                assertThat(spec.path(field).booleanValue())
                        .as("%s: %s", name, field)
                        .isEqualTo(coordinator && field.equals("enableMasterPoolerLoadBalancer"));
            }
            assertThat(spec.at("/masterServiceAnnotations/example.com~1internal")
                            .asText(""))
                    .as("%s: masterServiceAnnotations", name)
                    .isEqualTo(coordinator ? "true" : "");
        }
    }

    @Test
    @DisplayName("cert-manager's certificate names the external addresses too, for verify-full from outside")
    void certificateNamesExternalAddresses() throws Exception {
        RenderedChart chart = Charts.render(
                CHART,
                Map.of(
                        "tls.certManager.enabled", "true",
                        "tls.certManager.issuerName", "ca",
                        "tls.certManager.extraDnsNames[0]", "vectors.example.com",
                        "tls.certManager.ipAddresses[0]", "203.0.113.10",
                        "tls.certManager.ipAddresses[1]", "2001:db8::10"));
        JsonNode certificate = chart.ofKind("Certificate").get(0).path("spec");
        assertThat(certificate.path("dnsNames").toString())
                .contains("\"citus-coordinator\"")
                .contains("\"vectors.example.com\"");
        assertThat(certificate.path("ipAddresses").toString()).isEqualTo("[\"203.0.113.10\",\"2001:db8::10\"]");
    }
}
