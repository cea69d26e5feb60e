package io.moerec.jobs.broker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * SCRAM users of a started broker. Unlike PLAIN users, which the SASL listener's JAAS entry lists,
 * SCRAM credentials live in the cluster's metadata: they are stored through an admin request once the
 * broker serves, and reach the listener's cache a moment later.
 */
final class ScramUsers {

    private static final int ITERATIONS = 4096;

    private ScramUsers() {
    }

    /**
     * Stores the users' credentials for both SCRAM mechanisms through the PLAINTEXT listener at
     * {@code plainBootstrap}, then waits until each user can log in on the SASL listener at
     * {@code saslBootstrap} with each mechanism, until {@code deadlineNanos} ({@link System#nanoTime}).
     */
    static void register(String plainBootstrap, String saslBootstrap, Map<String, String> users, long deadlineNanos)
            throws InterruptedException, TimeoutException {
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, plainBootstrap))) {
            // One request per mechanism: a request may alter each user's credentials only once.
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                List<UserScramCredentialAlteration> upserts = new ArrayList<>();
                users.forEach((u, pw) -> upserts.add(new UserScramCredentialUpsertion(u, new ScramCredentialInfo(mechanism, ITERATIONS), pw)));
                admin.alterUserScramCredentials(upserts).all().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot store SCRAM credentials: " + e.getCause(), e.getCause());
        }
        for (Map.Entry<String, String> u : users.entrySet()) {
            for (String mechanism : List.of("SCRAM-SHA-256", "SCRAM-SHA-512")) {
                Map<String, Object> props = new LinkedHashMap<>();
                props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrap);
                props.putAll(ClientSecuritySettings.sasl(mechanism, u.getKey(), u.getValue()));
                awaitLogin(props, deadlineNanos);
            }
        }
    }

    private static void awaitLogin(Map<String, Object> props, long deadlineNanos) throws InterruptedException, TimeoutException {
        AuthenticationException last = null;
        while (System.nanoTime() < deadlineNanos) {
            try (Admin admin = Admin.create(props)) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof AuthenticationException a)) {
                    throw new IllegalStateException("SASL listener check failed: " + e.getCause(), e.getCause());
                }
                last = a;
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        TimeoutException t = new TimeoutException("SCRAM credentials did not become usable: " + last);
        t.initCause(last);
        throw t;
    }
}
