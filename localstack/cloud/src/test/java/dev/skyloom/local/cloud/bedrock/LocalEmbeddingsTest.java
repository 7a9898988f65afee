package dev.skyloom.local.cloud.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalEmbeddingsTest {
    private static double cosine(String a, String b, int dimensions) {
        float[] x = LocalEmbeddings.embed(a, dimensions, true);
        float[] y = LocalEmbeddings.embed(b, dimensions, true);
        double dot = 0;
        for (int i = 0; i < dimensions; i++) {
            dot += x[i] * y[i];
        }
        return dot;
    }

    @Test
    void embed_isUnitLength_andTheSameForTheSameText() {
        float[] v = LocalEmbeddings.embed("Deploys go out on Tuesdays", 256, true);
        double norm = 0;
        for (float f : v) {
            norm += f * f;
        }

        assertThat(v).hasSize(256).containsExactly(LocalEmbeddings.embed("Deploys go out on Tuesdays", 256, true));
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void synonyms_andWordForms_meetInOneConcept() {
        assertThat(LocalEmbeddings.concepts("The automobiles were repaired; shipping defects"))
                .containsExactly("car", "fix", "deploy", "bug");
        assertThat(cosine("automobile", "car", 1024)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(cosine("my car needs new tyres", "the automobile needs new tyres", 1024)).isGreaterThan(0.99);
    }

    @Test
    void unrelatedTexts_areFarApart_relatedOnesClose() {
        double related = cosine("who fixes bugs", "defects are repaired by the on-call engineer", 512);
        double unrelated = cosine("who fixes bugs", "lunch is served at noon in the cafeteria", 512);

        assertThat(related).isGreaterThan(0.4);
        assertThat(Math.abs(unrelated)).isLessThan(0.2);
    }

    @Test
    void emptyOrStopWordsOnly_stillGivesAUnitVector() {
        float[] v = LocalEmbeddings.embed("the and of", 256, true);
        double norm = 0;
        for (float f : v) {
            norm += f * f;
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
}
