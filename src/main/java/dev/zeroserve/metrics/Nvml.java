package dev.zeroserve.metrics;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVIDIA Management Library (the driver's {@code libnvidia-ml.so.1}, what {@code nvidia-smi} and DCGM read),
 * opened through JNA: the few calls the GPU meters need, each reading converted to the unit Triton reports.
 * <p>
 * NVML structs are passed as primitive arrays of the same layout ({@code nvmlMemory_t} is three
 * {@code unsigned long long}, {@code nvmlUtilization_t} two {@code unsigned int}), so no reflection is involved.
 */
public final class Nvml implements AutoCloseable {
    static final int SUCCESS = 0;
    static final int ERROR_NOT_SUPPORTED = 3;
    static final int ERROR_GPU_IS_LOST = 15;
    /** NVML_DEVICE_UUID_V2_BUFFER_SIZE and NVML_DEVICE_NAME_V2_BUFFER_SIZE. */
    private static final int TEXT_BUFFER = 96;
    private static final int TEMPERATURE_GPU = 0;

    /** The entry points of nvml.h used here (the _v2 ones where the driver has two). */
    interface Api extends Library {
        int nvmlInit_v2();

        int nvmlShutdown();

        String nvmlErrorString(int result);

        int nvmlDeviceGetCount_v2(IntByReference count);

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

        int nvmlDeviceGetName(Pointer device, byte[] name, int length);

        int nvmlDeviceGetUtilizationRates(Pointer device, int[] gpuAndMemory);

        int nvmlDeviceGetMemoryInfo(Pointer device, long[] totalFreeUsed);

        int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

        int nvmlDeviceGetPowerManagementLimit(Pointer device, IntByReference milliwatts);

        int nvmlDeviceGetTemperature(Pointer device, int sensor, IntByReference celsius);
    }

    /** An NVML call that did not return NVML_SUCCESS. */
    public static final class NvmlException extends Exception {
        private final int result;

        NvmlException(String call, int result, String message) {
            super(call + ": " + message + " (NVML error " + result + ")");
            this.result = result;
        }

        /** The GPU has fallen off the bus or its driver was reset: no query about it succeeds until it is back. */
        boolean gpuLost() {
            return result == ERROR_GPU_IS_LOST;
        }

        /** The call works on this driver, but not on this GPU (a reading some models lack, such as power). */
        boolean notSupported() {
            return result == ERROR_NOT_SUPPORTED;
        }
    }

    /** One GPU, as NVML enumerates it. */
    public record Device(int index, String uuid, String name, Pointer handle) {
    }

    private final Api api;

    private Nvml(Api api) {
        this.api = api;
    }

    /**
     * Loads the library and initialises NVML.
     *
     * @throws UnsatisfiedLinkError where the library cannot be loaded (no NVIDIA driver)
     * @throws NvmlException where the driver is there and NVML does not start (no GPU, driver not loaded)
     */
    public static Nvml open(String library) throws NvmlException {
        Api api = Native.load(library, Api.class);
        Nvml nvml = new Nvml(api);
        nvml.check("nvmlInit_v2", api.nvmlInit_v2());
        return nvml;
    }

    public List<Device> devices() throws NvmlException {
        IntByReference count = new IntByReference();
        check("nvmlDeviceGetCount_v2", api.nvmlDeviceGetCount_v2(count));
        List<Device> devices = new ArrayList<>(count.getValue());
        for (int i = 0; i < count.getValue(); i++) {
            PointerByReference handle = new PointerByReference();
            check("nvmlDeviceGetHandleByIndex_v2", api.nvmlDeviceGetHandleByIndex_v2(i, handle));
            byte[] uuid = new byte[TEXT_BUFFER];
            check("nvmlDeviceGetUUID", api.nvmlDeviceGetUUID(handle.getValue(), uuid, uuid.length));
            byte[] name = new byte[TEXT_BUFFER];
            check("nvmlDeviceGetName", api.nvmlDeviceGetName(handle.getValue(), name, name.length));
            devices.add(new Device(i, text(uuid), text(name), handle.getValue()));
        }
        return devices;
    }

    /** Percent of the last sample period in which a kernel ran, as a ratio (Triton's nv_gpu_utilization). */
    public double utilization(Device device) throws NvmlException {
        int[] gpuAndMemory = new int[2];
        check("nvmlDeviceGetUtilizationRates", api.nvmlDeviceGetUtilizationRates(device.handle(), gpuAndMemory));
        return gpuAndMemory[0] / 100.0;
    }

    /** Total, free and used device memory in bytes. */
    public long[] memory(Device device) throws NvmlException {
        long[] totalFreeUsed = new long[3];
        check("nvmlDeviceGetMemoryInfo", api.nvmlDeviceGetMemoryInfo(device.handle(), totalFreeUsed));
        return totalFreeUsed;
    }

    public double powerWatts(Device device) throws NvmlException {
        IntByReference milliwatts = new IntByReference();
        check("nvmlDeviceGetPowerUsage", api.nvmlDeviceGetPowerUsage(device.handle(), milliwatts));
        return Integer.toUnsignedLong(milliwatts.getValue()) / 1000.0;
    }

    public double powerLimitWatts(Device device) throws NvmlException {
        IntByReference milliwatts = new IntByReference();
        check("nvmlDeviceGetPowerManagementLimit",
                api.nvmlDeviceGetPowerManagementLimit(device.handle(), milliwatts));
        return Integer.toUnsignedLong(milliwatts.getValue()) / 1000.0;
    }

    public double temperatureCelsius(Device device) throws NvmlException {
        IntByReference celsius = new IntByReference();
        check("nvmlDeviceGetTemperature", api.nvmlDeviceGetTemperature(device.handle(), TEMPERATURE_GPU, celsius));
        return Integer.toUnsignedLong(celsius.getValue());
    }

    @Override
    public void close() {
        api.nvmlShutdown();
    }

    private void check(String call, int result) throws NvmlException {
        if (result != SUCCESS) {
            throw new NvmlException(call, result, api.nvmlErrorString(result));
        }
    }

    private static String text(byte[] nulTerminated) {
        int length = 0;
        while (length < nulTerminated.length && nulTerminated[length] != 0) {
            length++;
        }
        return new String(nulTerminated, 0, length, StandardCharsets.US_ASCII);
    }
}
