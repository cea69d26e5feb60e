package io.moerec.jobs.broker;

import io.moerec.jobs.net.LoopbackPorts;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The broker's listeners, every one bound to 127.0.0.1, and the broker settings that declare them.
 * Always {@code PLAINTEXT} on the client port (the broker talks to itself there, and tests create
 * topics there without credentials) and the KRaft controller listener, also {@code PLAINTEXT}. With
 * SASL users, a {@code SASL_PLAINTEXT} listener for them (mechanisms {@code PLAIN},
 * {@code SCRAM-SHA-256}, {@code SCRAM-SHA-512}); with TLS stores, a TLS listener speaking
 * {@code SASL_SSL} for the same users, or {@code SSL} when there are none.
 *
 * @param saslPort  0 when there are no SASL users
 * @param tlsPort   0 when there is no TLS listener
 * @param saslUsers user name to password, for both SASL listeners
 * @param tls       {@code null} when there is no TLS listener
 */
record BrokerListeners(int clientPort, int controllerPort, int saslPort, int tlsPort, Map<String, String> saslUsers,
                       TlsStores tls) {

    static final String HOST = LoopbackPorts.HOST;
    static final String CONTROLLER = "CONTROLLER";
    private static final String SASL = "SASL";
    private static final String TLS = "TLS";

    BrokerListeners {
        saslUsers = Collections.unmodifiableMap(new LinkedHashMap<>(saslUsers)); // in the order they were added
    }

    /**
     * Listeners on distinct free ports (Kafka refuses two listeners on one port); {@code clientPort} 0
     * picks that one too. A listener exists for SASL when there are users, for TLS when there are stores.
     */
    static BrokerListeners onFreePorts(int clientPort, Map<String, String> saslUsers, TlsStores tls) {
        int[] free = LoopbackPorts.free(1 + (clientPort == 0 ? 1 : 0) + (saslUsers.isEmpty() ? 0 : 1) + (tls == null ? 0 : 1),
                clientPort);
        int next = 0;
        int ctrlPort = free[next++];
        int client = clientPort == 0 ? free[next++] : clientPort;
        int saslPort = saslUsers.isEmpty() ? 0 : free[next++];
        int tlsPort = tls == null ? 0 : free[next];
        return new BrokerListeners(client, ctrlPort, saslPort, tlsPort, saslUsers, tls);
    }

    String clientBootstrap() {
        return HOST + ":" + clientPort;
    }

    String saslBootstrap() {
        return HOST + ":" + saslPort;
    }

    String tlsBootstrap() {
        return HOST + ":" + tlsPort;
    }

    /** {@code SASL_SSL} or {@code SSL}; {@code null} when there is no TLS listener. */
    String tlsProtocol() {
        return tlsPort == 0 ? null : saslUsers.isEmpty() ? "SSL" : "SASL_SSL";
    }

    /**
     * {@code listeners}, {@code advertised.listeners}, {@code listener.security.protocol.map} and the
     * per-listener SASL and TLS settings.
     */
    Map<String, String> brokerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        // Listener name -> "protocol port", in the order they are declared.
        Map<String, String> extra = new LinkedHashMap<>();
        if (saslPort != 0) {
            extra.put(SASL, "SASL_PLAINTEXT " + saslPort);
            props.putAll(saslMechanisms(SASL));
        }
        if (tlsPort != 0) {
            extra.put(TLS, tlsProtocol() + " " + tlsPort);
            props.putAll(tls.listenerProperties(prefix(TLS)));
            if (!saslUsers.isEmpty()) {
                props.putAll(saslMechanisms(TLS));
            }
        }
        props.putAll(listeners(extra));
        return props;
    }

    private Map<String, String> listeners(Map<String, String> extra) {
        StringBuilder listeners = new StringBuilder("PLAINTEXT://" + HOST + ":" + clientPort);
        StringBuilder advertised = new StringBuilder(listeners);
        StringBuilder protocols = new StringBuilder("PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        extra.forEach((name, protocolAndPort) -> {
            String[] pp = protocolAndPort.split(" ");
            String address = "," + name + "://" + HOST + ":" + pp[1];
            listeners.append(address);
            advertised.append(address);
            protocols.append(',').append(name).append(':').append(pp[0]);
        });
        listeners.append(',').append(CONTROLLER).append("://").append(HOST).append(':').append(controllerPort);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", listeners.toString());
        p.put("advertised.listeners", advertised.toString());
        p.put("listener.security.protocol.map", protocols.toString());
        return p;
    }

    /**
     * SASL on listener {@code name}: three mechanisms; PLAIN users are listed in the listener's JAAS
     * entry, SCRAM users are added to the cluster's metadata after start ({@link ScramUsers}).
     */
    private Map<String, String> saslMechanisms(String name) {
        String prefix = prefix(name);
        Map<String, String> p = new LinkedHashMap<>();
        p.put(prefix + "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
        StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        saslUsers.forEach((u, pw) -> plain.append(" user_").append(u).append("=\"").append(pw).append('"'));
        p.put(prefix + "plain.sasl.jaas.config", plain.append(';').toString());
        String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
        p.put(prefix + "scram-sha-256.sasl.jaas.config", scram);
        p.put(prefix + "scram-sha-512.sasl.jaas.config", scram);
        return p;
    }

    private static String prefix(String listener) {
        return "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
    }
}
