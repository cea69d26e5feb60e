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
import io.moerec.ingest.domain.UserPreferenceFeatures;
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
    void everyTypeOnTheWireOrInStateIsAPojo() {
        for (Class<?> c : new Class<?>[] {ViewingEvent.class, UserPreferenceFeatures.class, RawRecord.class,
                RejectedRecord.class, CatalogUpdate.class, EmissionState.class, UserPreferenceState.class, UserInput.class}) {
            assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(c), c.getName());
        }
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
        assertEquals(999, s.getWatched().length); // movies 1 to 999
        LOG.info("UserPreferenceState serialized bytes: empty {}, one watch {}, full recent list (50) and 999 watched {}",
                empty, one, full);
        // 3 x 18 doubles + 5 longs + scalars + 2 x 50 longs, plus the POJO serializer's per-field flags,
        // plus 8 bytes per watched movie.
        assertTrue(full < 1400 + 8 * 999, "state grew to " + full + " bytes");
        assertEquals(full + 8, size(ser, logic.apply(s, ViewingEvent.play("x", "u", 5000, T + 10_000_000_000L), movie)));
        assertEquals(full + 8, size(ser, logic.apply(s, ViewingEvent.play("y", "u", 5000, T + 10_000_060_000L), movie)),
                "a movie watched again adds nothing");

        // A heavy user (MovieLens' heaviest rates about 2,700 movies), then past the watched set's bound.
        for (int i = 1001; i <= 12_000; i++) {
            s = logic.apply(s, ViewingEvent.rate("e" + i, "u", 100_000 + i, T + 10_000_100_000L + i * 60_000L, 4.0), movie);
            if (i == 2700) {
                LOG.info("UserPreferenceState serialized bytes with 2,701 watched movies: {}", size(ser, s));
            }
        }
        assertEquals(UserPreferenceFeatures.MAX_WATCHED, s.getWatched().length);
        int capped = size(ser, s);
        LOG.info("UserPreferenceState serialized bytes at the watched bound ({}): {}", UserPreferenceFeatures.MAX_WATCHED, capped);
        assertTrue(capped < 1400 + 8 * UserPreferenceFeatures.MAX_WATCHED, "state grew to " + capped + " bytes");
    }
}
