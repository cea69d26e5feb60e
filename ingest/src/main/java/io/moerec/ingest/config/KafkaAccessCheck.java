package io.moerec.ingest.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check every app runs before its Kafka clients start: one admin request
 * ({@code describeCluster}) with the app's connection settings, within a deadline. Why: wrong
 * credentials do not stop a Kafka Streams app (its threads are replaced) nor a Flink job (it restarts
 * under its restart strategy); they would retry for ever. Here they fail once, at start, with a
 * message that says authentication failed and names the protocol, mechanism and user (never the
 * password), that the TLS handshake failed (the broker's certificate is not trusted or does not name
 * the host) and which truststore was used, or that the cluster did not answer in time.
 */
public final class KafkaAccessCheck {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaAccessCheck.class);

    private KafkaAccessCheck() {
    }

    /**
     * Connects and authenticates with {@code clientProperties} (which hold {@code bootstrap.servers});
     * returns when the cluster answered.
     *
     * @param who     what is starting, for the message (e.g. "scoring app")
     * @throws IllegalStateException when authentication or authorization fails, the client cannot be
     *                               created, or the cluster does not answer within {@code timeout}
     */
    public static void check(String who, Map<String, ?> clientProperties, Duration timeout) {
        Object bootstrap = clientProperties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        String auth = KafkaClientProperties.describeAuthentication(clientProperties);
        Map<String, Object> props = new LinkedHashMap<>(clientProperties);
        int ms = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, ms);
        props.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, "moerec-access-check");
        long t0 = System.nanoTime();
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (RuntimeException e) {
            throw new IllegalStateException(who + ": cannot create a Kafka client for " + bootstrap + " (" + auth + "): "
                    + creationFailure(e));
        }
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("{}: Kafka at {} answered ({}) in {} ms", who, bootstrap, auth,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof SslAuthenticationException) {
                // Before AuthenticationException, its superclass: the remedy is the truststore, not the password.
                throw new IllegalStateException(who + ": SSL handshake failed with Kafka " + bootstrap + " (" + auth + "): "
                        + rootCause(c) + "; check that ssl.truststore.* trusts the broker's certificate and that the "
                        + "certificate names the host in bootstrap.servers", c);
            }
            if (c instanceof AuthenticationException) {
                throw new IllegalStateException(who + ": authentication failed at Kafka " + bootstrap + " (" + auth + "): "
                        + c.getMessage(), c);
            }
            if (c instanceof AuthorizationException) {
                throw new IllegalStateException(who + ": not authorized at Kafka " + bootstrap + " (" + auth + "): "
                        + c.getMessage(), c);
            }
            throw new IllegalStateException(who + ": Kafka at " + bootstrap + " (" + auth + ") failed: " + c, c);
        } catch (TimeoutException e) {
            throw new IllegalStateException(who + ": Kafka at " + bootstrap + " did not answer within " + timeout.toMillis()
                    + " ms (" + auth + "); check bootstrap.servers, and that security.protocol matches the listener "
                    + "(a SASL or TLS listener does not answer a PLAINTEXT client, nor the other way round)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(who + ": interrupted while checking Kafka at " + bootstrap, e);
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

    /**
     * Why a client could not be created, without quoting settings: a message may quote a JAAS text, so
     * in general only the cause's class (a login module not found, ...). A key or trust store that
     * cannot be loaded is named with Kafka's message (the file and type) and the JDK's reason (missing
     * file, wrong password), neither of which holds a secret.
     */
    private static String creationFailure(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().startsWith("Failed to load SSL keystore")) {
                Throwable why = t.getCause();
                return t.getMessage() + (why == null ? "" : " (" + why.getClass().getSimpleName() + ": " + why.getMessage() + ")")
                        + "; check ssl.truststore.* and ssl.keystore.* (location, type, password)";
            }
        }
        Throwable c = e.getCause() == null ? e : e.getCause();
        return c.getClass().getSimpleName();
    }

    /** The innermost message, e.g. the JDK's "PKIX path building failed: ..." under "SSL handshake failed". */
    private static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }
}
