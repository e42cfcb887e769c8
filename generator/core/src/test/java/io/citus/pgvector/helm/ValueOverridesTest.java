package io.citus.pgvector.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.citus.pgvector.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Helm's --set family, with the results Helm documents for each form ("The Format and Limitations of --set"). */
class ValueOverridesTest {

    private static Map<String, Object> set(String... args) throws Failure {
        return new ValueOverrides(List.of(), Arrays.asList(args), List.of(), List.of()).apply(List.of());
    }

    @Test
    @DisplayName("dotted keys, several assignments in one argument, and Helm's typing")
    void typedAndNested() throws Failure {
        assertThat(set("a.b=1,c=true,d=text,e=0,f=007,g=null,h="))
                .isEqualTo(
                        mapOf("a", Map.of("b", 1L), "c", true, "d", "text", "e", 0L, "f", "007", "g", null, "h", ""));
    }

    @Test
    @DisplayName("lists in braces, list indexes, nested indexes and maps inside lists")
    void lists() throws Failure {
        assertThat(set("a={x,y,3}")).isEqualTo(Map.of("a", List.of("x", "y", 3L)));
        assertThat(set("a[1]=x")).isEqualTo(Map.of("a", Arrays.asList(null, "x")));
        assertThat(set("roles[0].name=app,roles[0].existingSecret.name=s"))
                .isEqualTo(Map.of("roles", List.of(Map.of("name", "app", "existingSecret", Map.of("name", "s")))));
        assertThat(set("a[0][1]=z")).isEqualTo(Map.of("a", List.of(Arrays.asList(null, "z"))));
        assertThat(set("a={x,y},b=2")).isEqualTo(Map.of("a", List.of("x", "y"), "b", 2L));
    }

    @Test
    @DisplayName("backslash escapes a dot in a key and a comma in a value")
    void escapes() throws Failure {
        assertThat(set("ann.example\\.com/x=a\\,b")).isEqualTo(Map.of("ann", Map.of("example.com/x", "a,b")));
    }

    @Test
    @DisplayName("later arguments win; --set-string keeps strings; --set-json and --set-file")
    void order(@TempDir Path dir) throws Exception {
        Path values = Files.writeString(dir.resolve("v.yaml"), "a: {b: 1, c: 2}\nlist: [1, 2]\n");
        Path text = Files.writeString(dir.resolve("t.txt"), "line 1\nline 2\n");
        Map<String, Object> out = new ValueOverrides(
                        List.of("j=[1,{\"k\":\"v\"}] ,n={\"m\":true}", "{\"a\":{\"d\":4}}"),
                        List.of("a.b=5", "a.b=6", "list[1]=9"),
                        List.of("s=true,t=5"),
                        List.of("f=" + text))
                .apply(List.of(values));
        assertThat(out)
                .isEqualTo(mapOf(
                        "a", Map.of("b", 6L, "c", 2, "d", 4),
                        "list", List.of(1, 9L),
                        "j", List.of(1, Map.of("k", "v")),
                        "n", Map.of("m", true),
                        "s", "true",
                        "t", "5",
                        "f", "line 1\nline 2\n"));
    }

    @Test
    @DisplayName("malformed arguments are input errors naming the flag and the argument")
    void malformed() {
        assertThatThrownBy(() -> set("a")).hasMessage("--set a: key \"a\" has no value");
        assertThatThrownBy(() -> set("a={x,y")).hasMessage("--set a={x,y: list must terminate with '}'");
        assertThatThrownBy(() -> set("a[x]=1")).hasMessage("--set a[x]=1: index [x] is not a number");
        assertThatThrownBy(() -> set("a,b=1")).hasMessage("--set a,b=1: key \"a\" has no value (cannot end with ,)");
        assertThatThrownBy(() -> new ValueOverrides(List.of("a={"), List.of(), List.of(), List.of()).apply(List.of()))
                .hasMessageStartingWith("--set-json a={: not JSON");
    }

    private static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
