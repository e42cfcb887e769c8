package io.citus.pgvector.model;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities as numbers, to compare a limit with its request. */
final class Quantity {

    private static final Pattern FORM =
            Pattern.compile("^(\\d+(?:\\.\\d+)?)(?:e(\\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$");
    private static final Map<String, BigDecimal> SUFFIX = Map.ofEntries(
            Map.entry("m", new BigDecimal("0.001")),
            Map.entry("k", BigDecimal.TEN.pow(3)),
            Map.entry("M", BigDecimal.TEN.pow(6)),
            Map.entry("G", BigDecimal.TEN.pow(9)),
            Map.entry("T", BigDecimal.TEN.pow(12)),
            Map.entry("P", BigDecimal.TEN.pow(15)),
            Map.entry("E", BigDecimal.TEN.pow(18)),
            Map.entry("Ki", BigDecimal.valueOf(2).pow(10)),
            Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
            Map.entry("Gi", BigDecimal.valueOf(2).pow(30)),
            Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
            Map.entry("Pi", BigDecimal.valueOf(2).pow(50)),
            Map.entry("Ei", BigDecimal.valueOf(2).pow(60)));

    private Quantity() {}

    /** The quantity's value in base units (cores or bytes); the caller has checked the format. */
    static BigDecimal parse(String quantity) {
        Matcher m = FORM.matcher(quantity);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a quantity: " + quantity);
        }
        BigDecimal number = new BigDecimal(m.group(1));
        if (m.group(2) != null) {
            return number.scaleByPowerOfTen(Integer.parseInt(m.group(2)));
        }
        return m.group(3) == null ? number : number.multiply(SUFFIX.get(m.group(3)));
    }
}
