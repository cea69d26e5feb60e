package io.moerec.moe.bundle;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Length-prefixed primitive arrays in a {@code DataOutput} stream, behind a magic number and a format
 * version. Reading checks every length against a bound before allocating, so a damaged file fails
 * with a message instead of an out-of-memory error.
 */
final class BinaryArrays {

    static final int MAGIC = 0x4D4F4541; // "MOEA"
    static final int FORMAT = 1;
    private static final int MAX_LENGTH = 1 << 28;

    private BinaryArrays() {
    }

    /** A new array file at {@code f}, its header already written; the caller closes it. */
    static DataOutputStream create(Path f) throws IOException {
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(f), 1 << 16));
        header(out);
        return out;
    }

    /** The array file at {@code f}, its header checked; errors name the file. The caller closes it. */
    static DataInputStream open(Path f) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f), 1 << 16));
        try {
            header(in, f.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return in;
    }

    static void header(DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
    }

    static void header(DataInputStream in, String file) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new InvalidBundleException(file + " is not a moerec array file");
        }
        int f = in.readInt();
        if (f != FORMAT) {
            throw new InvalidBundleException(file + ": unknown array format " + f + ", this build reads " + FORMAT);
        }
    }

    static void doubles(DataOutputStream out, double[] a) throws IOException {
        out.writeInt(a.length);
        for (double x : a) {
            out.writeDouble(x);
        }
    }

    static void longs(DataOutputStream out, long[] a) throws IOException {
        out.writeInt(a.length);
        for (long x : a) {
            out.writeLong(x);
        }
    }

    static void ints(DataOutputStream out, int[] a) throws IOException {
        out.writeInt(a.length);
        for (int x : a) {
            out.writeInt(x);
        }
    }

    static void floats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float x : a) {
            out.writeFloat(x);
        }
    }

    static float[] floats(DataInputStream in, String file) throws IOException {
        float[] a = new float[length(in, file)];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readFloat();
        }
        return a;
    }

    private static int length(DataInputStream in, String file) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_LENGTH) {
            throw new InvalidBundleException(file + ": implausible array length " + n);
        }
        return n;
    }

    static double[] doubles(DataInputStream in, String file) throws IOException {
        double[] a = new double[length(in, file)];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readDouble();
        }
        return a;
    }

    static long[] longs(DataInputStream in, String file) throws IOException {
        long[] a = new long[length(in, file)];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readLong();
        }
        return a;
    }

    static int[] ints(DataInputStream in, String file) throws IOException {
        int[] a = new int[length(in, file)];
        for (int i = 0; i < a.length; i++) {
            a[i] = in.readInt();
        }
        return a;
    }
}
