package dev.skyloom.aws.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skyloom.core.agent.tools.Memory;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class MemoryEmbeddingEncodingTest {
    @Test
    void encode_isHalfPrecisionLittleEndian_twoBytesPerDimension() {
        byte[] bytes = DynamoDbMemoryStore.encode(new float[] {1.0f, -2.0f});

        // 1.0 = 0x3C00, -2.0 = 0xC000 in IEEE 754 binary16
        assertThat(bytes).containsExactly(0x00, 0x3C, 0x00, 0xC0);
    }

    @Test
    void roundTrip_keepsTheCosineSimilarity_withinAThousandth() {
        Random random = new Random(7);
        float[] a = unit(random, 256);
        float[] b = unit(random, 256);
        double before = new Memory.Embedding("s", a).cosine(new Memory.Embedding("s", b));

        double after = new Memory.Embedding("s", DynamoDbMemoryStore.decode(DynamoDbMemoryStore.encode(a)))
                .cosine(new Memory.Embedding("s", DynamoDbMemoryStore.decode(DynamoDbMemoryStore.encode(b))));

        assertThat(after).isCloseTo(before, Offset.offset(1e-3));
    }

    private static float[] unit(Random random, int n) {
        float[] v = new float[n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < n; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }
}
