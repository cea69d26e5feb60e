package io.moerec.moe.bundle;

import io.moerec.moe.model.ItemToItem;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The sparse item-to-item model (the first stage) as an array file: the item count, then per item its
 * neighbours (int) and weights (float), best first: 8 bytes per stored pair.
 */
final class ItemToItemCodec {

    private ItemToItemCodec() {
    }

    static void write(Path f, ItemToItem model) throws IOException {
        try (DataOutputStream out = BinaryArrays.create(f)) {
            out.writeInt(model.items());
            for (int j = 0; j < model.items(); j++) {
                BinaryArrays.ints(out, model.neighbours(j));
                BinaryArrays.floats(out, model.weights(j));
            }
        }
    }

    /** Reads the model, which must cover exactly {@code items} items (the table's size). */
    static ItemToItem read(Path f, int items) throws IOException {
        String name = f.getFileName().toString();
        try (DataInputStream in = BinaryArrays.open(f)) {
            int n = in.readInt();
            if (n != items) {
                throw new InvalidBundleException(name + " covers " + n + " items, the table " + items);
            }
            int[][] nb = new int[n][];
            float[][] w = new float[n][];
            for (int j = 0; j < n; j++) {
                nb[j] = BinaryArrays.ints(in, name);
                w[j] = BinaryArrays.floats(in, name);
            }
            return new ItemToItem(nb, w);
        }
    }
}
