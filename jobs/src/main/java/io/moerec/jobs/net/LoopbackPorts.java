package io.moerec.jobs.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on the loopback address for the servers the project starts itself (the embedded
 * broker's listeners, the scoring app's HTTP endpoint in the demo, a test Flink cluster). All ports of
 * one call are probed with every probe socket open at once, so they are distinct: two probes closed one
 * after the other may be handed the same port, and a broker with two listeners on one port refuses to
 * start. A port can still be taken by someone else between the probe and its use; callers that bind
 * retry on "address in use".
 */
public final class LoopbackPorts {

    /** The address every port is probed on. */
    public static final String HOST = "127.0.0.1";

    private LoopbackPorts() {
    }

    /** One free port. */
    public static int free() {
        return free(1, 0)[0];
    }

    /** {@code n} distinct free ports, none equal to {@code exclude} (0: none). */
    public static int[] free(int n, int exclude) {
        List<ServerSocket> probes = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; ) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
                probes.add(s);
                if (s.getLocalPort() != exclude) {
                    ports[i++] = s.getLocalPort();
                }
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find " + n + " free ports on " + HOST, e);
        } finally {
            for (ServerSocket s : probes) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // a probe that cannot close leaves its port taken; the caller's retry handles that
                }
            }
        }
    }
}
