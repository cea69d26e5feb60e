package io.moerec.jobs.cli;

import io.moerec.ingest.replay.ReplayProgress;
import io.moerec.ingest.replay.ReplayProgressListener;
import io.moerec.ingest.replay.ReplaySummary;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a replay's progress: on a terminal one line redrawn in place (a bar when the size is known,
 * events/s, ETA); otherwise, e.g. into a log file or a CI job, one plain line per report so that
 * nothing depends on carriage returns.
 */
final class ProgressPrinter implements ReplayProgressListener {

    private static final int BAR_WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private boolean drewInPlace;

    ProgressPrinter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void onProgress(ReplayProgress p) {
        if (terminal) {
            out.print("\r" + line(p, true) + "   ");
            drewInPlace = true;
        } else {
            out.println("replay: " + line(p, false));
        }
        out.flush();
    }

    /** Ends the in-place line so that what follows starts on a fresh one. */
    void done() {
        if (drewInPlace) {
            out.println();
            out.flush();
            drewInPlace = false;
        }
    }

    static String line(ReplayProgress p, boolean bar) {
        StringBuilder sb = new StringBuilder();
        p.fractionDone().ifPresent(f -> {
            if (bar) {
                int filled = (int) Math.round(f * BAR_WIDTH);
                sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
            }
            sb.append(String.format(Locale.ROOT, "%3.0f%% ", f * 100));
        });
        sb.append(String.format(Locale.ROOT, "%,d read, %,d sent, %,d rejected, %,.0f events/s",
                p.read(), p.sent(), p.rejected(), p.recordsPerSecond()));
        p.eta().ifPresent(eta -> sb.append(", ETA ").append(format(eta)));
        return sb.toString();
    }

    /** The end-of-run line: sent, rejected by reason, seconds, rate. */
    static String summary(ReplaySummary s, String unit) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "sent %,d, rejected %,d", s.sent(), s.rejectedTotal()));
        if (!s.rejected().isEmpty()) {
            sb.append(" (");
            s.rejected().forEach((reason, n) -> sb.append(reason).append(' ').append(n).append(", "));
            sb.setLength(sb.length() - 2);
            sb.append(')');
        }
        sb.append(String.format(Locale.ROOT, ", %,d lines read, %.1f s, %,.0f %s/s",
                s.read(), s.elapsed().toNanos() / 1e9, s.recordsPerSecond(), unit));
        return sb.toString();
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
