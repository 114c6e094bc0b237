package dev.simdreg.internal.vector;

import dev.simdreg.internal.AveragingKernels;
import dev.simdreg.internal.BatchNormKernels;
import dev.simdreg.internal.ChannelAffine;
import dev.simdreg.internal.ChannelLayout;
import dev.simdreg.internal.DropoutKernels;
import dev.simdreg.internal.ImageKernels;
import dev.simdreg.internal.OptimizerKernels;
import dev.simdreg.internal.PenaltyKernels;
import dev.simdreg.internal.RandomKernels;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static dev.simdreg.internal.vector.KindCopies.kind;

/**
 * The vector kernels of each family as the facade sees them: each call goes to the copy of the kernels for
 * the class its segments share (see {@link KindCopies}), through a handle in a field that is not final, an
 * inlining barrier (see {@link Barrier}). Scratch that the kernels use internally is native and read as
 * such, so only the caller's segments decide.
 */
final class KindDispatch {

    private KindDispatch() {
    }

    static final class Penalties implements PenaltyKernels {
        private final KindCopies<PenaltyKernels> copies =
                new KindCopies<>(PenaltyKernels.class, new VectorPenaltyKernels());
        private MethodHandle softThreshold = Barrier.handle(PenaltyKernels.class, "softThreshold", 5);
        private MethodHandle proximalL1Step = Barrier.handle(PenaltyKernels.class, "proximalL1Step", 6);
        private MethodHandle blockTotal = Barrier.handle(PenaltyKernels.class, "blockTotal", 5);
        private MethodHandle rowSumsOfSquares = Barrier.handle(PenaltyKernels.class, "rowSumsOfSquares", 5);
        private MethodHandle maxAbs = Barrier.handle(PenaltyKernels.class, "maxAbs", 3);
        private MethodHandle scale = Barrier.handle(PenaltyKernels.class, "scale", 4);

        @Override
        public void softThreshold(MemorySegment x, MemorySegment out, int from, int n, float threshold) {
            try {
                softThreshold.invokeExact(copies.of(kind(x, out)), x, out, from, n, threshold);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void proximalL1Step(MemorySegment w, MemorySegment g, int from, int n, float learningRate,
                                   float threshold) {
            try {
                proximalL1Step.invokeExact(copies.of(kind(w, g)), w, g, from, n, learningRate, threshold);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public float blockTotal(MemorySegment x, int from, int n, boolean squares, float scale) {
            try {
                return (float) blockTotal.invokeExact(copies.of(kind(x)), x, from, n, squares, scale);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void rowSumsOfSquares(MemorySegment x, int from, int rows, int cols, float[] sums) {
            try {
                rowSumsOfSquares.invokeExact(copies.of(kind(x)), x, from, rows, cols, sums);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public float maxAbs(MemorySegment x, int from, int n) {
            try {
                return (float) maxAbs.invokeExact(copies.of(kind(x)), x, from, n);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void scale(MemorySegment x, int from, int n, float factor) {
            try {
                scale.invokeExact(copies.of(kind(x)), x, from, n, factor);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }
    }

    static final class Optimizers implements OptimizerKernels {
        private final KindCopies<OptimizerKernels> copies =
                new KindCopies<>(OptimizerKernels.class, new VectorOptimizerKernels());
        private MethodHandle sgd = Barrier.handle(OptimizerKernels.class, "sgd", 6);
        private MethodHandle sgdMomentum = Barrier.handle(OptimizerKernels.class, "sgdMomentum", 11);
        private MethodHandle adamW = Barrier.handle(OptimizerKernels.class, "adamW", 7);

        @Override
        public void sgd(MemorySegment w, MemorySegment g, int from, int n, float learningRate, float weightDecay) {
            try {
                sgd.invokeExact(copies.of(kind(w, g)), w, g, from, n, learningRate, weightDecay);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment buf, int from, int n,
                float learningRate, float weightDecay, float momentum, float dampingFactor, boolean nesterov,
                boolean firstStep) {
            try {
                sgdMomentum.invokeExact(copies.of(kind(w, g, buf)), w, g, buf, from, n, learningRate, weightDecay,
                        momentum, dampingFactor, nesterov, firstStep);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void adamW(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, int from, int n,
                          AdamWStep step) {
            try {
                adamW.invokeExact(copies.of(kind(w, g, m, v)), w, g, m, v, from, n, step);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }
    }

    static final class Averaging implements AveragingKernels {
        private final KindCopies<AveragingKernels> copies =
                new KindCopies<>(AveragingKernels.class, new VectorAveragingKernels());
        private MethodHandle linearAverage = Barrier.handle(AveragingKernels.class, "linearAverage", 5);
        private MethodHandle exponentialAverage = Barrier.handle(AveragingKernels.class, "exponentialAverage", 5);

        @Override
        public void linearAverage(MemorySegment avg, MemorySegment theta, int from, int n, float inverseCount) {
            try {
                linearAverage.invokeExact(copies.of(kind(avg, theta)), avg, theta, from, n, inverseCount);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void exponentialAverage(MemorySegment avg, MemorySegment theta, int from, int n, float decay) {
            try {
                exponentialAverage.invokeExact(copies.of(kind(avg, theta)), avg, theta, from, n, decay);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }
    }

    static final class BatchNorm implements BatchNormKernels {
        private final KindCopies<BatchNormKernels> copies =
                new KindCopies<>(BatchNormKernels.class, new VectorBatchNormKernels());
        private MethodHandle moments = Barrier.handle(BatchNormKernels.class, "moments", 4);
        private MethodHandle normalize = Barrier.handle(BatchNormKernels.class, "normalize", 4);
        private MethodHandle gradientSums = Barrier.handle(BatchNormKernels.class, "gradientSums", 8);
        private MethodHandle inputGradient = Barrier.handle(BatchNormKernels.class, "inputGradient", 8);

        @Override
        public void moments(ChannelLayout layout, MemorySegment x, double[] mean, double[] m2) {
            try {
                moments.invokeExact(copies.of(kind(x)), layout, x, mean, m2);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void normalize(ChannelLayout layout, MemorySegment x, MemorySegment y, ChannelAffine affine) {
            try {
                normalize.invokeExact(copies.of(kind(x, y)), layout, x, y, affine);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void gradientSums(ChannelLayout layout, MemorySegment x, MemorySegment dy, ChannelAffine affine,
                double[] sumDy, double[] sumDyCentered, MemorySegment dx, float[] dyScale) {
            try {
                gradientSums.invokeExact(copies.of(kind(x, dy, dx)), layout, x, dy, affine, sumDy, sumDyCentered, dx,
                        dyScale);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void inputGradient(ChannelLayout layout, MemorySegment x, MemorySegment dy, MemorySegment dx,
                ChannelAffine affine, float[] dyScale, float[] xScale, float[] bias) {
            try {
                inputGradient.invokeExact(copies.of(kind(x, dy, dx)), layout, x, dy, dx, affine, dyScale, xScale, bias);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }
    }

    static final class Random implements RandomKernels {
        private final KindCopies<RandomKernels> copies =
                new KindCopies<>(RandomKernels.class, new VectorRandomKernels());
        private MethodHandle words = Barrier.handle(RandomKernels.class, "words", 4);
        private MethodHandle uniform = Barrier.handle(RandomKernels.class, "uniform", 7);
        private MethodHandle normals = Barrier.handle(RandomKernels.class, "normals", 3);
        private MethodHandle scale = Barrier.handle(RandomKernels.class, "scale", 6);
        private MethodHandle addScaled = Barrier.handle(RandomKernels.class, "addScaled", 7);
        private MethodHandle keepBits = Barrier.handle(RandomKernels.class, "keepBits", 6);
        /** The kernels that read and write only arrays. */
        private final RandomKernels arrays = copies.of(Species.ANY);

        @Override
        public void words(long seed, long firstTile, int tiles, int[] words) {
            try {
                this.words.invokeExact(arrays, seed, firstTile, tiles, words);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void uniform(int[] words, int wordFrom, int groups, MemorySegment out, long from, float scale,
                float shift) {
            try {
                uniform.invokeExact(copies.of(kind(out)), words, wordFrom, groups, out, from, scale, shift);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void normals(int[] words, int tiles, float[] normals) {
            try {
                this.normals.invokeExact(arrays, words, tiles, normals);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void scale(float[] z, int zFrom, float factor, MemorySegment out, long from, int n) {
            try {
                scale.invokeExact(copies.of(kind(out)), z, zFrom, factor, out, from, n);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void addScaled(MemorySegment x, float[] z, int zFrom, float sigma, MemorySegment out, long from, int n) {
            try {
                addScaled.invokeExact(copies.of(kind(x, out)), x, z, zFrom, sigma, out, from, n);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void keepBits(int[] words, int tiles, int[] thresholds, int period, int phase, long[] bits) {
            try {
                keepBits.invokeExact(arrays, words, tiles, thresholds, period, phase, bits);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }
    }

    static final class Dropout implements DropoutKernels {
        private final KindCopies<DropoutKernels> copies =
                new KindCopies<>(DropoutKernels.class, new VectorDropoutKernels());
        private MethodHandle applyMask = Barrier.handle(DropoutKernels.class, "applyMask", 6);
        private MethodHandle applyMaskPeriodic = Barrier.handle(DropoutKernels.class, "applyMask", 8);
        private MethodHandle scale = Barrier.handle(DropoutKernels.class, "scale", 5);
        private MethodHandle scaleColumns = Barrier.handle(DropoutKernels.class, "scaleColumns", 6);

        @Override
        public void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float scale) {
            try {
                applyMask.invokeExact(copies.of(kind(x, y)), x, y, from, n, bits, scale);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void applyMask(MemorySegment x, MemorySegment y, long from, int n, long[] bits, float[] scales,
                int period, int phase) {
            try {
                applyMaskPeriodic.invokeExact(copies.of(kind(x, y)), x, y, from, n, bits, scales, period, phase);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void scale(MemorySegment x, MemorySegment y, long from, int n, float factor) {
            try {
                scale.invokeExact(copies.of(kind(x, y)), x, y, from, n, factor);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void scaleColumns(MemorySegment w, MemorySegment out, long firstRow, int rows, int cols,
                                 float[] factors) {
            try {
                scaleColumns.invokeExact(copies.of(kind(w, out)), w, out, firstRow, rows, cols, factors);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }
    }

    static final class Images implements ImageKernels {
        private final KindCopies<ImageKernels> copies = new KindCopies<>(ImageKernels.class, new VectorImageKernels());
        private MethodHandle bytesToFloats = Barrier.handle(ImageKernels.class, "bytesToFloats", 10);
        private MethodHandle bytesToPlanes = Barrier.handle(ImageKernels.class, "bytesToPlanes", 9);
        private MethodHandle reverseRows = Barrier.handle(ImageKernels.class, "reverseRows", 5);
        private MethodHandle reversePixels = Barrier.handle(ImageKernels.class, "reversePixels", 6);
        private MethodHandle reverseRowOrder = Barrier.handle(ImageKernels.class, "reverseRowOrder", 6);
        private MethodHandle shiftedRows = Barrier.handle(ImageKernels.class, "shiftedRows", 8);
        private MethodHandle swapRanges = Barrier.handle(ImageKernels.class, "swapRanges", 5);
        private MethodHandle addPeriodic = Barrier.handle(ImageKernels.class, "addPeriodic", 7);
        private MethodHandle warp = Barrier.handle(ImageKernels.class, "warp", 13);

        @Override
        public void bytesToFloats(MemorySegment src, long srcFrom, int n, float[] scales, float[] shifts, int units,
                int period, int phase, MemorySegment out, long outFrom) {
            try {
                bytesToFloats.invokeExact(copies.of(kind(out), kind(src)), src, srcFrom, n, scales, shifts, units,
                        period, phase, out, outFrom);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void bytesToPlanes(MemorySegment src, long srcFrom, int pixels, int channels, float[] scales,
                float[] shifts, MemorySegment out, long outFrom, long plane) {
            try {
                bytesToPlanes.invokeExact(copies.of(kind(out), kind(src)), src, srcFrom, pixels, channels, scales,
                        shifts, out, outFrom, plane);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void reverseRows(MemorySegment x, MemorySegment out, long from, int rows, int width) {
            try {
                reverseRows.invokeExact(copies.of(kind(x, out)), x, out, from, rows, width);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void reversePixels(MemorySegment x, MemorySegment out, long from, int rows, int width, int channels) {
            try {
                reversePixels.invokeExact(copies.of(kind(x, out)), x, out, from, rows, width, channels);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void reverseRowOrder(MemorySegment x, MemorySegment out, long from, int blocks, int rows,
                int rowLength) {
            try {
                reverseRowOrder.invokeExact(copies.of(kind(x, out)), x, out, from, blocks, rows, rowLength);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void shiftedRows(MemorySegment x, long xFrom, MemorySegment out, long outFrom, int rows, int rowLength,
                int col, int count) {
            try {
                shiftedRows.invokeExact(copies.of(kind(x, out)), x, xFrom, out, outFrom, rows, rowLength, col, count);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void swapRanges(MemorySegment x, MemorySegment out, long a, long b, int n) {
            try {
                swapRanges.invokeExact(copies.of(kind(x, out)), x, out, a, b, n);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void addPeriodic(MemorySegment x, MemorySegment out, long from, int n, float[] shifts, int period,
                int phase) {
            try {
                addPeriodic.invokeExact(copies.of(kind(x, out)), x, out, from, n, shifts, period, phase);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }

        @Override
        public void warp(MemorySegment x, long xFrom, int height, int width, MemorySegment out, long outFrom,
                int outHeight, int outWidth, int channels, boolean planes, double[] m, int mFrom, boolean edge) {
            try {
                warp.invokeExact(copies.of(kind(x, out)), x, xFrom, height, width, out, outFrom, outHeight, outWidth,
                        channels, planes, m, mFrom, edge);
            } catch (Throwable e) {
                throw Barrier.unchecked(e);
            }
        }
    }
}
