package dev.simdreg.bench;

import dev.simdreg.AdamW;
import dev.simdreg.Optimizers;
import dev.simdreg.Sgd;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.MemorySegment;

/** The fused parameter updates, each applied again and again to the same buffers. */
public class OptimizerBenchmark extends BenchState {

    static final Sgd SGD = Sgd.withWeightDecay(1e-3f, 1e-4f);
    static final Sgd MOMENTUM = new Sgd(1e-3f, 0.9f, 0.1f, 1e-4f, false);
    static final AdamW ADAMW = AdamW.withDefaults(1e-3f);

    private float[] w, g, buf, m, v;
    private MemorySegment ws, gs, bufs, ms, vs;
    private long step;

    @Setup
    public void setup() {
        selectProvider();
        w = randomArray(1, 1, 0);
        g = randomArray(2, 0.1, 0);
        buf = randomArray(3, 0.1, 0);
        m = randomArray(4, 0.1, 0);
        v = randomArray(5, 0.01, 0.05);
        ws = nativeCopy(w);
        gs = nativeCopy(g);
        bufs = nativeCopy(buf);
        ms = nativeCopy(m);
        vs = nativeCopy(v);
        step = 10;
        if (checked()) {
            checkAgainstLoop();
        }
    }

    private void checkAgainstLoop() {
        if (loop()) {
            return;
        }
        float[] ew = w.clone(), em = m.clone(), ev = v.clone();
        Loops.adamW(ADAMW, step, ew, g, em, ev);
        Optimizers.adamW(ADAMW, step, ws, gs, ms, vs);
        agree("adamW w", ew, read(ws));
        agree("adamW m", em, read(ms));
        float[] sw = w.clone(), sb = buf.clone();
        MemorySegment sws = nativeCopy(w);
        Loops.sgdMomentum(MOMENTUM, sw, g, sb);
        Optimizers.sgd(MOMENTUM, 2, sws, gs, bufs);
        agree("sgd momentum w", sw, read(sws));
        agree("sgd momentum buffer", sb, read(bufs));
    }

    @TearDown
    public void tearDown() {
        close();
    }

    @Benchmark
    public void sgd() {
        if (loop()) {
            Loops.sgd(SGD, w, g);
        } else {
            Optimizers.sgd(SGD, step, ws, gs, null);
        }
    }

    @Benchmark
    public void sgdMomentum() {
        if (loop()) {
            Loops.sgdMomentum(MOMENTUM, w, g, buf);
        } else {
            Optimizers.sgd(MOMENTUM, step, ws, gs, bufs);
        }
    }

    @Benchmark
    public void adamW() {
        if (loop()) {
            Loops.adamW(ADAMW, step, w, g, m, v);
        } else {
            Optimizers.adamW(ADAMW, step, ws, gs, ms, vs);
        }
    }
}
