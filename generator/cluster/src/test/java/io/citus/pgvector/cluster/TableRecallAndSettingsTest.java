package io.citus.pgvector.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Recall by distance on a user's table, and the statements that carry settings to the workers. */
class TableRecallAndSettingsTest {

    private static final List<Double> EXACT = List.of(0.1, 0.2, 0.3, 0.4);

    @Test
    @DisplayName("every returned row within the k-th exact distance is a hit, ties included")
    void exactSearchScoresOne() {
        assertThat(TableTarget.recall(List.of(0.1, 0.2, 0.3, 0.4), EXACT)).isEqualTo(1.0);
        assertThat(TableTarget.recall(List.of(0.1, 0.2, 0.3, 0.4 + 1e-9), EXACT))
                .isEqualTo(1.0);
    }

    @Test
    @DisplayName("a row farther than the k-th exact distance is a miss; missing rows are misses")
    void missesCount() {
        assertThat(TableTarget.recall(List.of(0.1, 0.2, 0.35, 0.5), EXACT)).isCloseTo(0.75, within(1e-12));
        assertThat(TableTarget.recall(List.of(0.1, 0.2), EXACT)).isCloseTo(0.5, within(1e-12));
        assertThat(TableTarget.recall(List.of(), EXACT)).isZero();
    }

    @Test
    @DisplayName("more hits than k (rows tied at the k-th distance) count as k; no exact rows score 1")
    void bounds() {
        assertThat(TableTarget.recall(List.of(0.1, 0.2, 0.4, 0.4, 0.4), EXACT)).isEqualTo(1.0);
        assertThat(TableTarget.recall(List.of(), List.of())).isEqualTo(1.0);
        assertThat(TableTarget.recall(List.of(-5.0, -4.0), List.of(-5.0, -4.0))).isEqualTo(1.0);
    }

    @Test
    @DisplayName("settings are SET LOCAL after citus.propagate_set_commands, quoted, in name order")
    void prelude() {
        assertThat(SearchSession.prelude(Map.of("hnsw.iterative_scan", "off", "hnsw.ef_search", "4'0")))
                .isEqualTo("SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL hnsw.ef_search = '4''0';"
                        + " SET LOCAL hnsw.iterative_scan = 'off'");
        assertThat(SearchSession.prelude(Map.of())).isEqualTo("SET LOCAL citus.propagate_set_commands = 'local'");
    }

    @Test
    @DisplayName("a host is on this machine when it is localhost or a loopback address")
    void onThisMachine() {
        for (String host : List.of("localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]")) {
            assertThat(new ConnectionSettings(host, 5432, "u", "d", "prefer", null).onThisMachine())
                    .as(host)
                    .isTrue();
        }
        for (String host : List.of("db.example.com", "10.0.0.5", "127example.com", "::2")) {
            assertThat(new ConnectionSettings(host, 5432, "u", "d", "prefer", null).onThisMachine())
                    .as(host)
                    .isFalse();
        }
    }
}
