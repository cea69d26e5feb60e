package io.moerec.ingest.movielens;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file as raw byte lines, so that a rejected line can be kept exactly as it was on disk
 * (minus its {@code \n} or {@code \r\n} terminator). Lines longer than {@link #MAX_LINE_BYTES} are
 * cut to that length and flagged, so one corrupt multi-gigabyte "line" cannot exhaust the heap.
 */
final class LineReader implements AutoCloseable {

    /** No MovieLens line comes near this; anything longer is corrupt input. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private final InputStream in;
    private final String fileName;
    // Own buffer rather than BufferedInputStream: its read() is synchronized, a cost per byte.
    private final byte[] chunk = new byte[1 << 16];
    private int chunkPos;
    private int chunkLimit;
    private byte[] line = new byte[256];
    private int lineLength;
    private long lineTotalBytes;
    private long lineNumber;

    LineReader(Path file) {
        try {
            this.in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
        this.fileName = file.getFileName().toString();
    }

    /** Reads the next line; {@code false} at end of file. */
    boolean next() {
        lineLength = 0;
        lineTotalBytes = 0;
        boolean sawNewline = false;
        while (!sawNewline) {
            if (chunkPos == chunkLimit && !fill()) {
                break;
            }
            int start = chunkPos;
            int end = chunkPos;
            while (end < chunkLimit && chunk[end] != '\n') {
                end++;
            }
            append(start, end);
            if (end < chunkLimit) {
                sawNewline = true;
                end++;
            }
            chunkPos = end;
        }
        if (!sawNewline && lineTotalBytes == 0) {
            return false;
        }
        lineNumber++;
        if (lineLength > 0 && line[lineLength - 1] == '\r' && lineTotalBytes == lineLength) {
            lineLength--;
            lineTotalBytes--;
        }
        return true;
    }

    private void append(int start, int end) {
        int n = end - start;
        lineTotalBytes += n;
        int keep = Math.min(n, MAX_LINE_BYTES - lineLength);
        if (keep > 0) {
            if (lineLength + keep > line.length) {
                line = Arrays.copyOf(line, Math.min(MAX_LINE_BYTES, Math.max(line.length * 2, lineLength + keep)));
            }
            System.arraycopy(chunk, start, line, lineLength, keep);
            lineLength += keep;
        }
    }

    private boolean fill() {
        try {
            int n = in.read(chunk, 0, chunk.length);
            while (n == 0) {
                n = in.read(chunk, 0, chunk.length);
            }
            chunkPos = 0;
            chunkLimit = Math.max(n, 0);
            return n > 0;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + fileName + " at line " + (lineNumber + 1), e);
        }
    }

    /** 1-based number of the line last read. */
    long lineNumber() {
        return lineNumber;
    }

    String fileName() {
        return fileName;
    }

    /** The buffer holding the current line in {@code [0, length())}; valid until the next call. */
    byte[] buffer() {
        return line;
    }

    int length() {
        return lineLength;
    }

    /** Whether the line was longer than {@link #MAX_LINE_BYTES} and so was cut. */
    boolean oversize() {
        return lineTotalBytes > lineLength;
    }

    long totalBytes() {
        return lineTotalBytes;
    }

    /** A copy of the current line's bytes, for a rejection. */
    byte[] copy() {
        return Arrays.copyOf(line, lineLength);
    }

    /** Blank lines (only spaces and tabs) carry nothing and are skipped without being counted. */
    boolean blank() {
        for (int i = 0; i < lineLength; i++) {
            if (line[i] != ' ' && line[i] != '\t') {
                return false;
            }
        }
        return !oversize();
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + fileName, e);
        }
    }
}
