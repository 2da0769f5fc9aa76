package io.tunefleet.worker.gpu;

/**
 * The GPU inventory could not be read: nvidia-smi is missing, failed, timed out or printed something
 * we cannot parse. An infrastructure problem of this host, not a lost race.
 */
public class GpuInventoryException extends RuntimeException {

    public GpuInventoryException(String message) {
        super(message);
    }

    public GpuInventoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
