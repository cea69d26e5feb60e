package io.moerec.moe.routing;

import java.util.Locale;

/** The selectable routers, by their configuration names. */
public enum RouterKind {
    SOFTMAX,
    BALANCED,
    EIGEN,
    DENSE;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration name, failing with the accepted names. */
    public static RouterKind parse(String name) {
        for (RouterKind k : values()) {
            if (k.configName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("router must be one of softmax, balanced, eigen, dense; got '" + name + "'");
    }
}
