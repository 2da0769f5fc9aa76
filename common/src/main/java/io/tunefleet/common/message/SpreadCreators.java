package io.tunefleet.common.message;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.ValueInstantiators;
import tools.jackson.databind.deser.std.StdValueInstantiator;
import tools.jackson.databind.introspect.AnnotatedWithParams;
import tools.jackson.databind.module.SimpleModule;

/**
 * Calls each message record's constructor through a method handle made once per type. Jackson 3
 * (3.1 to 3.3 at least) calls a creator that takes arguments through
 * {@code MethodHandle.invokeWithArguments}, which builds a new spreading handle on every call: on the
 * fleet benchmark's throughput workload that was about 4 % of a worker's CPU, decoding jobs (every
 * message is a record, and a job holds two). Errors are reported as Jackson reports them.
 */
final class SpreadCreators extends SimpleModule {

    SpreadCreators() {
        super("tunefleet-spread-creators");
    }

    @Override
    public void setupModule(SetupContext context) {
        super.setupModule(context);
        context.addValueInstantiators(new ValueInstantiators.Base() {
            @Override
            public ValueInstantiator modifyValueInstantiator(DeserializationConfig config,
                                                             BeanDescription.Supplier bean,
                                                             ValueInstantiator found) {
                return found.getClass() == StdValueInstantiator.class ? spread((StdValueInstantiator) found) : found;
            }
        });
    }

    /** {@code found}, calling its creator with arguments through a handle spread once; as found when it has none. */
    private static ValueInstantiator spread(StdValueInstantiator found) {
        AnnotatedWithParams creator = found.getWithArgsCreator();
        if (creator == null) {
            return found;
        }
        try {
            MethodHandle direct;
            if (creator.getAnnotated() instanceof Constructor<?> c) {
                direct = MethodHandles.lookup().unreflectConstructor(c);
            } else if (creator.getAnnotated() instanceof Method m) {
                direct = MethodHandles.lookup().unreflect(m);
            } else {
                return found;
            }
            MethodHandle spread = direct.asSpreader(Object[].class, direct.type().parameterCount())
                    .asType(MethodType.methodType(Object.class, Object[].class));
            return new Spread(found, spread);
        } catch (IllegalAccessException | IllegalArgumentException notPublic) {
            return found; // Jackson's own way still works
        }
    }

    private static final class Spread extends StdValueInstantiator {

        private final MethodHandle creator;

        Spread(StdValueInstantiator found, MethodHandle creator) {
            super(found);
            this.creator = creator;
        }

        @Override
        public Object createFromObjectWith(DeserializationContext ctxt, Object[] args) {
            try {
                return creator.invokeExact(args);
            } catch (Error e) {
                throw e;
            } catch (Throwable e) {
                throw rewrapCtorProblem(ctxt, e);
            }
        }
    }
}
