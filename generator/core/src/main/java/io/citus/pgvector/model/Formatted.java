package io.citus.pgvector.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A string value that must follow a {@link Format}. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Formatted {
    Format value();

    /** Whether "" is accepted as "not set". */
    boolean optional() default false;
}
