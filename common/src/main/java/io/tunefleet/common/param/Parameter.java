package io.tunefleet.common.param;

import java.util.List;
import java.util.random.RandomGenerator;

/** One tunable engine parameter and the values it may take. */
public sealed interface Parameter permits ChoiceParameter, IntegerParameter, ContinuousParameter {

    /** The engine flag name without dashes, e.g. {@code tp-size}. */
    String name();

    /** The values a grid search visits, in a fixed order. */
    List<Object> gridValues();

    /** One value drawn uniformly (log-uniformly where asked). */
    Object sample(RandomGenerator random);
}
