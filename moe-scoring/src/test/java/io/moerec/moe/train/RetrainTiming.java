package io.moerec.moe.train;

import io.moerec.ingest.datasets.DataSets;
import io.moerec.ingest.domain.Movie;
import io.moerec.ingest.domain.ViewingEvent;
import io.moerec.moe.MoeModel;
import io.moerec.moe.TrainingConfig;
import io.moerec.moe.lifecycle.HoldoutScore;
import io.moerec.moe.lifecycle.HoldoutSplit;
import io.moerec.moe.routing.RouterKind;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The continuous trainer's retrain, timed: on a data set's newest events, the previous cycle's window
 * (ending {@code step} events earlier) is trained fresh and serves; the current window is then trained
 * fresh and warm-started from it, and both are scored on the current window's hold-out like the trainer
 * does. Prints one line per window size: wall and process CPU seconds of each training, NDCG@10.
 * Usage: {@code RetrainTiming DATA_DIR STEP EXPERT_EPOCHS GATE_EPOCHS WINDOW...}.
 */
public final class RetrainTiming {

    private RetrainTiming() {
    }

    public static void main(String[] args) {
        List<Movie> movies = new ArrayList<>();
        List<ViewingEvent> events = new ArrayList<>();
        MoeTrainer.readAll(DataSets.open(Path.of(args[0])), movies, events);
        events.sort(TrainingData.REPLAY_ORDER);
        int step = Integer.parseInt(args[1]);
        int expertEpochs = Integer.parseInt(args[2]);
        int gateEpochs = Integer.parseInt(args[3]);
        TrainingConfig config = TrainingConfig.defaults();
        for (int a = 4; a < args.length; a++) {
            int window = Integer.parseInt(args[a]);
            int end = events.size();
            List<ViewingEvent> previous = events.subList(Math.max(0, end - step - window), end - step);
            MoeModel serving = MoeTrainer.train("previous window", movies, HoldoutSplit.of(previous, 0.1).train(), config);
            HoldoutSplit split = HoldoutSplit.of(events.subList(Math.max(0, end - window), end), 0.1);
            long[] fresh = new long[2];
            MoeModel f = timed(fresh, () -> MoeTrainer.train("fresh", movies, split.train(), config));
            long[] warm = new long[2];
            MoeModel w = timed(warm, () -> MoeTrainer.train("warm", movies, split.train(), config,
                    new WarmStart(serving, expertEpochs, gateEpochs)));
            HoldoutScore fs = HoldoutScore.of(f, RouterKind.SOFTMAX, movies, split.all(), split.cut(), 10);
            HoldoutScore ws = HoldoutScore.of(w, RouterKind.SOFTMAX, movies, split.all(), split.cut(), 10);
            System.out.printf(Locale.ROOT, "RESULT window %d: %d training events, %d users; fresh %.1f s wall %.1f s CPU, NDCG@10 %.4f ± %.4f;"
                            + " warm %.1f s wall %.1f s CPU, NDCG@10 %.4f ± %.4f; %d held-out interactions; load %.1f%n", window,
                    split.train().size(), f.provenance().users(), fresh[0] / 1e9, fresh[1] / 1e9, fs.ndcg().mean(),
                    fs.ndcg().standardError(), warm[0] / 1e9, warm[1] / 1e9, ws.ndcg().mean(), ws.ndcg().standardError(),
                    fs.interactions(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static MoeModel timed(long[] wallAndCpu, java.util.function.Supplier<MoeModel> train) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        MoeModel m = train.get();
        wallAndCpu[0] = System.nanoTime() - t0;
        wallAndCpu[1] = os.getProcessCpuTime() - c0;
        return m;
    }
}
