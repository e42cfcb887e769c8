package io.citus.pgvector.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantityTest {

    @ParameterizedTest
    @CsvSource({"500m,0.5", "2,2", "1.5,1.5", "1Ki,1024", "8Gi,8589934592", "1G,1000000000", "1e3,1000", "2k,2000"})
    void parses(String quantity, String expected) {
        assertThat(Quantity.parse(quantity)).isEqualByComparingTo(new BigDecimal(expected));
    }
}
