package io.citus.pgvector.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The built-in default of a value, written beside it as YAML: a scalar ({@code "2"}, {@code "relaxed_order"}) or, on
 * a record that appears in several places with different defaults, a flow mapping merged over that record's own
 * defaults ({@code "{requests: {cpu: '1', memory: 2Gi}}"}). Without it a string defaults to "", a map or list to empty,
 * a record to its components' defaults; numbers and switches must have one.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
    String value();
}
