package io.citus.pgvector.ha;

import io.citus.pgvector.testing.LocalPostgres;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free loopback ports, never the same one twice in this JVM: the fixture chooses every port before anything binds
 * them (members, frontends), so a port free when chosen must not be handed out again.
 */
final class Ports {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {}

    static int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = LocalPostgres.freePort();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port found in 100 attempts");
    }
}
