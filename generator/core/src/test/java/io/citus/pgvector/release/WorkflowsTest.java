package io.citus.pgvector.release;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.citus.pgvector.testing.ProjectFiles;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub workflows, their scripts and the Renovate configuration: each workflow passes a workflow validator
 * (action-validator from npm, installed by .ci/run: skipped where absent), every shell step and script passes
 * shellcheck, and every pin Renovate is told to keep fresh is really found where the configuration says.
 */
class WorkflowsTest {

    private static final Path ROOT = ProjectFiles.root();
    private static final Path WORKFLOWS = ROOT.resolve(".github/workflows");
    private static final Path SHELLCHECK = Path.of(System.getProperty("shellcheck.binary", "/usr/bin/shellcheck"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A GitHub expression, which the runner replaces before the shell sees the step. */
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{.*?}}");

    @Test
    @DisplayName("the CI, end-to-end and release workflows exist")
    void workflowsExist() throws IOException {
        assertThat(workflows())
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("ci.yml", "e2e.yml", "release.yml");
    }

    @Test
    @DisplayName("action-validator accepts every workflow and refuses a broken one")
    void workflowsValidate(@TempDir Path temp) throws Exception {
        Optional<Path> validator = actionValidator();
        Assumptions.assumeTrue(
                validator.isPresent(),
                "action-validator is not installed (.ci/run installs @action-validator/cli from npm; or set"
                        + " -Daction.validator=PATH)");
        for (Path workflow : workflows()) {
            Result result = run(List.of(validator.get().toString(), workflow.toString()));
            assertThat(result.status()).as(workflow + ": " + result.output()).isZero();
        }
        Path broken = temp.resolve("broken.yml");
        Files.writeString(broken, Files.readString(WORKFLOWS.resolve("ci.yml")).replace("runs-on:", "run-on:"));
        assertThat(run(List.of(validator.get().toString(), broken.toString())).status())
                .as("a workflow with a misspelled key")
                .isNotZero();
    }

    @Test
    @DisplayName("shellcheck reports nothing for any run step of the workflows, .github/scripts or docker/e2e")
    void shellStepsClean(@TempDir Path temp) throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(SHELLCHECK),
                () -> "shellcheck is not installed at " + SHELLCHECK + " (apt-get install shellcheck)");
        List<String> command = new ArrayList<>(
                List.of(SHELLCHECK.toString(), "--shell=bash", "--severity=style", "--external-sources"));
        int steps = 0;
        for (Path workflow : workflows()) {
            for (JsonNode job : iterable(YAML.readTree(workflow.toFile()).path("jobs"))) {
                int index = 0;
                for (JsonNode step : iterable(job.path("steps"))) {
                    index++;
                    if (!step.has("run")) {
                        continue;
                    }
                    // GitHub runs a step as `bash -e {0}`, with the expressions already substituted.
                    String script = "#!/usr/bin/env bash\nset -e\n"
                            + EXPRESSION.matcher(step.path("run").asText()).replaceAll("EXPRESSION");
                    String name =
                            workflow.getFileName() + "-" + job.path("name").asText("job") + "-" + index;
                    Path file = temp.resolve(name.replaceAll("[^\\w.-]", "_") + ".sh");
                    Files.writeString(file, script);
                    command.add(file.toString());
                    steps++;
                }
            }
        }
        assertThat(steps).as("run steps found").isGreaterThan(10);
        try (Stream<Path> scripts = Files.list(ROOT.resolve(".github/scripts"))) {
            scripts.filter(p -> p.toString().endsWith(".sh")).forEach(p -> command.add(p.toString()));
        }
        command.add(ROOT.resolve("docker/e2e/run.sh").toString());
        Result result = run(command);
        assertThat(result.status()).as(result.output()).isZero();
        assertThat(result.output()).isEmpty();
    }

    @Test
    @DisplayName("every Renovate custom manager finds its pin: a file matches and the pattern yields a current value")
    void renovatePinsAreFound() throws Exception {
        JsonNode config = JSON.readTree(ROOT.resolve(".github/renovate.json").toFile());
        List<String> tracked = trackedFiles();
        int managers = 0;
        for (JsonNode manager : iterable(config.path("customManagers"))) {
            managers++;
            String description = manager.path("description").asText();
            List<String> files = new ArrayList<>();
            for (JsonNode pattern : iterable(manager.path("fileMatch"))) {
                Pattern regex = Pattern.compile(pattern.asText());
                tracked.stream().filter(f -> regex.matcher(f).find()).forEach(files::add);
            }
            assertThat(files).as(description + ": files").isNotEmpty();
            for (JsonNode matchString : iterable(manager.path("matchStrings"))) {
                Pattern pattern = Pattern.compile(matchString.asText());
                for (String file : files) {
                    Matcher matcher = pattern.matcher(Files.readString(ROOT.resolve(file)));
                    assertThat(matcher.find())
                            .as(description + ": " + matchString.asText() + " in " + file)
                            .isTrue();
                    assertThat(matcher.group("currentValue")).as(description).isNotBlank();
                }
            }
        }
        assertThat(managers).isGreaterThanOrEqualTo(5);
    }

    @Test
    @DisplayName("Renovate's own validator accepts the configuration (strict)")
    void renovateValidates() throws Exception {
        Optional<Path> validator =
                tool("renovate.config.validator", "RENOVATE_CONFIG_VALIDATOR", "renovate-config-validator");
        Assumptions.assumeTrue(
                validator.isPresent(),
                "renovate-config-validator is not installed (npm package renovate, several hundred MB, so .ci/run"
                        + " leaves it out; set RENOVATE_CONFIG_VALIDATOR=PATH to run this check)");
        Result result = run(List.of(
                validator.get().toString(),
                "--strict",
                ROOT.resolve(".github/renovate.json").toString()));
        assertThat(result.status()).as(result.output()).isZero();
        assertThat(result.output()).contains("Config validated successfully");
    }

    private static List<String> trackedFiles() throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> paths = Files.walk(ROOT)) {
            paths.filter(Files::isRegularFile)
                    .map(p -> ROOT.relativize(p).toString().replace(File.separatorChar, '/'))
                    .filter(p -> !p.startsWith(".git/") && !p.contains("/target/") && !p.startsWith("target/"))
                    .forEach(files::add);
        }
        return files;
    }

    private static List<Path> workflows() throws IOException {
        try (Stream<Path> paths = Files.list(WORKFLOWS)) {
            return paths.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static Optional<Path> actionValidator() {
        return tool("action.validator", "ACTION_VALIDATOR", "action-validator");
    }

    /** A tool named by a system property, else an environment variable, else found on PATH. */
    private static Optional<Path> tool(String property, String variable, String command) {
        String configured = System.getProperty(property, System.getenv(variable));
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return node::elements;
    }

    private record Result(int status, String output) {}

    private static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }
}
