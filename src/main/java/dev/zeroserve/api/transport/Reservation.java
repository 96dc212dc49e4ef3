package dev.zeroserve.api.transport;

import java.util.concurrent.atomic.AtomicLong;

import io.vertx.ext.web.RoutingContext;

/**
 * What one exchange holds of the {@link InFlightBudget}, given back when the exchange ends (answered, reset or its
 * connection closed). Charges may come from any thread: an event loop, or a worker inflating a body.
 */
final class Reservation {
    private static final String KEY = Reservation.class.getName();

    private final InFlightBudget budget;
    private final AtomicLong held = new AtomicLong();
    private volatile boolean ended;

    private Reservation(InFlightBudget budget) {
        this.budget = budget;
    }

    /** The exchange's reservation, made at its first charge. */
    static Reservation of(RoutingContext context, InFlightBudget budget) {
        Reservation reservation = context.get(KEY);
        if (reservation == null) {
            reservation = new Reservation(budget);
            context.put(KEY, reservation);
            Reservation made = reservation;
            context.addEndHandler(end -> made.end());
        }
        return reservation;
    }

    long held() {
        return held.get();
    }

    /** Gives back {@code bytes} of what is held: a provisional charge replaced by a measured one. */
    void giveBack(long bytes) {
        long given = Math.min(bytes, held.get());
        if (given > 0) {
            held.addAndGet(-given);
            budget.give(given);
        }
    }

    boolean tryCharge(long bytes) {
        if (!budget.tryTake(bytes)) {
            return false;
        }
        held.addAndGet(bytes);
        if (ended) {
            end(); // the exchange ended while this was charged: nothing may stay held
        }
        return true;
    }

    private void end() {
        ended = true;
        long bytes = held.getAndSet(0);
        if (bytes > 0) {
            budget.give(bytes);
        }
    }
}
