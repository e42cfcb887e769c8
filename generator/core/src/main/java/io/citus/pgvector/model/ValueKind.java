package io.citus.pgvector.model;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;

/** The shapes a value can have, read off the Java type of a record component. */
enum ValueKind {
    STRING,
    INTEGER,
    BOOLEAN,
    RECORD,
    STRING_MAP,
    OBJECT,
    OBJECT_LIST,
    /** A list of records: each item has the record's keys, its defaults filled in where an item leaves one out. */
    RECORD_LIST,
    STRING_LIST;

    static ValueKind of(Type type) {
        if (type == String.class) {
            return STRING;
        }
        if (type == Integer.class) {
            return INTEGER;
        }
        if (type == Boolean.class) {
            return BOOLEAN;
        }
        if (type instanceof Class<?> c && c.isRecord()) {
            return RECORD;
        }
        if (type instanceof ParameterizedType p) {
            Type[] args = p.getActualTypeArguments();
            if (p.getRawType() == Map.class && args[1] == String.class) {
                return STRING_MAP;
            }
            if (p.getRawType() == Map.class && args[1] == Object.class) {
                return OBJECT;
            }
            if (p.getRawType() == List.class && args[0] instanceof Class<?> item && item.isRecord()) {
                return RECORD_LIST;
            }
            if (p.getRawType() == List.class && args[0] == String.class) {
                return STRING_LIST;
            }
            if (p.getRawType() == List.class
                    && args[0] instanceof ParameterizedType item
                    && item.getRawType() == Map.class) {
                return OBJECT_LIST;
            }
        }
        throw new IllegalArgumentException("unsupported value type " + type);
    }
}
