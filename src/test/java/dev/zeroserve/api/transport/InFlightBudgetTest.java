package dev.zeroserve.api.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class InFlightBudgetTest {
    @Test
    void takesNoMoreThanItsCapacityEvenUnderContention() throws Exception {
        InFlightBudget budget = new InFlightBudget(1000, 100, 100);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        AtomicLong maxSeen = new AtomicLong();
        CountDownLatch done = new CountDownLatch(8);
        for (int t = 0; t < 8; t++) {
            threads.execute(() -> {
                for (int i = 0; i < 20_000; i++) {
                    if (budget.tryTake(300)) {
                        maxSeen.accumulateAndGet(budget.used(), Math::max);
                        budget.give(300);
                    }
                }
                done.countDown();
            });
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        threads.shutdown();
        assertThat(maxSeen.get()).isLessThanOrEqualTo(900);
        assertThat(budget.used()).isZero();
    }

    @Test
    void aBodyCostsItsMeasuredCopiesAndTheLargestBodyFollowsFromTheCapacity() {
        assertThat(InFlightBudget.bodyCost(1000)).isEqualTo(1500);
        InFlightBudget budget = new InFlightBudget(96L << 20, 64L << 20, 64L << 20);
        assertThat(budget.largestBody()).isEqualTo(64L << 20);
        assertThat(budget.tryTake((96L << 20) + 1)).isFalse();
    }

    @Test
    void theDefaultLeavesTheServerItsShareOfTheHeap() {
        long heap = Runtime.getRuntime().maxMemory();
        assertThat(InFlightBudget.derived()).isBetween(heap / 2, heap);
    }
}
