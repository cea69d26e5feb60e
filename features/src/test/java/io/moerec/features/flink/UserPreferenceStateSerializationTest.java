package io.moerec.features.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.moerec.features.FeatureConfig;
import io.moerec.features.PreferenceFeatureLogic;
import io.moerec.features.UserPreferenceState;
import io.moerec.ingest.domain.Genre;
import io.moerec.ingest.domain.GenreSet;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state is a Flink POJO (never generic Kryo), round-trips exactly, and its serialized size per
 * user is measured here; the figures are quoted in the features README.
 */
class UserPreferenceStateSerializationTest {

    private static final Logger LOG = LoggerFactory.getLogger(UserPreferenceStateSerializationTest.class);
    static final long T = 1_700_000_000_000L;

    static TypeSerializer<UserPreferenceState> serializer() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // fails here if any field needed Kryo
        TypeInformation<UserPreferenceState> info = TypeInformation.of(UserPreferenceState.class);
        assertInstanceOf(PojoTypeInfo.class, info);
        return info.createSerializer(new SerializerConfigImpl(conf));
    }

    static int size(TypeSerializer<UserPreferenceState> ser, UserPreferenceState s) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4096);
        ser.serialize(s, out);
        byte[] bytes = out.getCopyOfBuffer();
        UserPreferenceState back = ser.deserialize(new DataInputDeserializer(bytes));
        assertEquals(s, back);
        return bytes.length;
    }

    @Test
    void stateIsAPojoThatRoundTripsAndHasABoundedSize() throws IOException {
        TypeSerializer<UserPreferenceState> ser = serializer();
        PreferenceFeatureLogic logic = new PreferenceFeatureLogic(FeatureConfig.defaults());
        Movie movie = new Movie(1, "m", 2000, GenreSet.of(Genre.ACTION, Genre.DRAMA));

        int empty = size(ser, new UserPreferenceState());
        UserPreferenceState s = logic.apply(null, ViewingEvent.complete("e0", "u", 1, T), movie);
        int one = size(ser, s);
        for (int i = 1; i < 1000; i++) {
            s = logic.apply(s, ViewingEvent.rate("e" + i, "u", i, T + i * 60_000L, 4.0), movie);
        }
        int full = size(ser, s);
        assertEquals(50, s.getRecentMovieIds().length);
        LOG.info("UserPreferenceState serialized bytes: empty {}, one watch {}, full recent list (50) {}",
                empty, one, full);
        // 3 x 18 doubles + 5 longs + scalars + 2 x 50 longs, plus the POJO serializer's per-field flags.
        assertTrue(full < 1400, "state grew to " + full + " bytes");
        assertEquals(full, size(ser, logic.apply(s, ViewingEvent.play("x", "u", 5000, T + 10_000_000_000L), movie)));
    }
}
