package io.moerec.jobs.pipeline;

import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.ingest.source.DataSet;
import io.moerec.moe.train.MoeTrainer;
import io.moerec.moe.TrainingConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A data set split at an event-time cut, as the demo and the benchmark use it: the catalog, the
 * history before the cut (what the MoE is trained on and the pipeline warmed up with) and the sorted
 * event times of the live part at or after it.
 *
 * @param catalog   the data set's valid movies
 * @param history   valid events strictly before {@code cut}, in the data set's order
 * @param cut       the first live event time
 * @param liveTimes event times of the valid events at or after {@code cut}, ascending
 */
public record HistoryCut(List<Movie> catalog, List<ViewingEvent> history, long cut, long[] liveTimes) {

    public HistoryCut {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(liveTimes, "liveTimes");
    }

    /** Reads {@code data} and cuts it where {@code quantile} of its valid events (by event time) lie before. */
    public static HistoryCut of(DataSet data, double quantile) {
        if (!(quantile > 0 && quantile < 1)) {
            throw new IllegalArgumentException("cut quantile must be in (0, 1), got " + quantile);
        }
        List<Movie> catalog = new ArrayList<>();
        List<ViewingEvent> all = new ArrayList<>();
        MoeTrainer.readAll(data, catalog, all);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no valid events in " + data.description());
        }
        long[] times = all.stream().mapToLong(ViewingEvent::eventTime).toArray();
        Arrays.sort(times);
        long cut = times[(int) Math.min(times.length - 1, Math.max(1, Math.round(quantile * times.length)))];
        List<ViewingEvent> history = all.stream().filter(e -> e.eventTime() < cut).toList();
        int firstLive = Arrays.binarySearch(times, cut);
        while (firstLive > 0 && times[firstLive - 1] == cut) {
            firstLive--;
        }
        return new HistoryCut(List.copyOf(catalog), history, cut, Arrays.copyOfRange(times, firstLive, times.length));
    }

    public long liveCount() {
        return liveTimes.length;
    }

    /** The model for the history: the cached bundle if {@code cache} holds one for it, else freshly trained. */
    public ModelCache.Entry model(ModelCache cache, String dataDescription, TrainingConfig training) {
        return cache.trainOrReuse(dataDescription + " before " + Instant.ofEpochMilli(cut), catalog, history, training);
    }
}
