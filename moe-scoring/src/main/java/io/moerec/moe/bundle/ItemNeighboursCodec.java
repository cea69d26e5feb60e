package io.moerec.moe.bundle;

import io.moerec.moe.model.ItemNeighbours;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/** The item-to-item neighbourhoods as an array file: the movie count, then each movie's neighbours and similarities. */
final class ItemNeighboursCodec {

    private ItemNeighboursCodec() {
    }

    static void write(Path f, ItemNeighbours nb) throws IOException {
        try (DataOutputStream out = BinaryArrays.create(f)) {
            out.writeInt(nb.movies());
            for (int m = 0; m < nb.movies(); m++) {
                BinaryArrays.ints(out, nb.neighbours(m));
                BinaryArrays.doubles(out, nb.similarities(m));
            }
        }
    }

    /** Reads the neighbourhoods, which must cover exactly {@code movies} movies (the table's size). */
    static ItemNeighbours read(Path f, int movies) throws IOException {
        String name = f.getFileName().toString();
        try (DataInputStream in = BinaryArrays.open(f)) {
            int n = in.readInt();
            if (n != movies) {
                throw new InvalidBundleException(name + " covers " + n + " movies, the table " + movies);
            }
            int[][] nb = new int[n][];
            double[][] sim = new double[n][];
            for (int m = 0; m < n; m++) {
                nb[m] = BinaryArrays.ints(in, name);
                sim[m] = BinaryArrays.doubles(in, name);
            }
            return new ItemNeighbours(nb, sim);
        }
    }
}
