package io.citus.pgvector.model;

import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One key of the values, read off a record component with its documentation and constraints. */
record ValueField(
        String name,
        ValueKind kind,
        Type type,
        String description,
        Range range,
        OneOf oneOf,
        Formatted formatted,
        RecordComponent component) {

    private static final Map<Class<?>, List<ValueField>> CACHE = new ConcurrentHashMap<>();

    static List<ValueField> of(Class<?> recordType) {
        return CACHE.computeIfAbsent(
                recordType,
                t -> Arrays.stream(t.getRecordComponents())
                        .map(ValueField::from)
                        .toList());
    }

    private static ValueField from(RecordComponent c) {
        Doc doc = c.getAnnotation(Doc.class);
        if (doc == null) {
            throw new IllegalStateException(
                    c.getDeclaringRecord().getSimpleName() + "." + c.getName() + " has no @Doc");
        }
        return new ValueField(
                c.getName(),
                ValueKind.of(c.getGenericType()),
                c.getGenericType(),
                doc.value(),
                c.getAnnotation(Range.class),
                c.getAnnotation(OneOf.class),
                c.getAnnotation(Formatted.class),
                c);
    }

    /** The record of a {@link ValueKind#RECORD}, or the item record of a {@link ValueKind#RECORD_LIST}. */
    Class<?> recordType() {
        if (kind == ValueKind.RECORD_LIST) {
            return (Class<?>) ((java.lang.reflect.ParameterizedType) type).getActualTypeArguments()[0];
        }
        return (Class<?>) type;
    }

    Object valueIn(Record owner) {
        try {
            return component.getAccessor().invoke(owner);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    /** The allowed values, as a sentence for documentation, or "" when any value of the type goes. */
    String allowedValues() {
        if (oneOf != null) {
            return "One of: "
                    + String.join(
                            ", ",
                            Arrays.stream(oneOf.value()).map(v -> "`" + v + "`").toList()) + ".";
        }
        if (range != null) {
            return "From " + range.min() + " to " + range.max() + ".";
        }
        return "";
    }
}
