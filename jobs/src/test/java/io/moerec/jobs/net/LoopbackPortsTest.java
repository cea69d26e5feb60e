package io.moerec.jobs.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    /**
     * The ports of one call are distinct (a CI run once got the same port for the embedded broker's SASL
     * and TLS listeners from two probes closed one after the other, and Kafka refused to start).
     */
    @Test
    void portsOfOneCallAreDistinct() {
        for (int round = 0; round < 200; round++) {
            int[] ports = LoopbackPorts.free(4, 0);
            Set<Integer> distinct = Arrays.stream(ports).boxed().collect(Collectors.toSet());
            assertEquals(4, distinct.size(), Arrays.toString(ports));
            assertFalse(distinct.contains(0));
        }
    }
}
