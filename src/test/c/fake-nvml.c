/*
 * A stand-in for the NVIDIA driver's libnvidia-ml.so.1 with the signatures of nvml.h, so that the JNA binding is
 * tested through a real dynamic library (calling convention, struct layouts, buffers) where no GPU is.
 * Two GPUs; GPU 1 reports no power reading (NVML_ERROR_NOT_SUPPORTED), as some boards do. fake_nvml_set_* let a
 * test change what the "driver" answers.
 */
#include <stdio.h>
#include <string.h>

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_GPU_IS_LOST 15
#define DEVICES 2

typedef struct {
    int index;
} fake_device;

typedef struct {
    unsigned int gpu;
    unsigned int memory;
} nvmlUtilization_t;

typedef struct {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
} nvmlMemory_t;

static fake_device devices[DEVICES] = { { 0 }, { 1 } };
static int init_result = NVML_SUCCESS;
static int initialised = 0;
static unsigned int utilization_percent[DEVICES] = { 37, 0 };
static unsigned long long memory_used[DEVICES] = { 1073741824ULL, 0ULL };
static int lost[DEVICES] = { 0, 0 };
static int power_error[DEVICES] = { 0, 0 };

void fake_nvml_set_init_result(int result) { init_result = result; }

void fake_nvml_set_utilization(unsigned int device, unsigned int percent) { utilization_percent[device] = percent; }

void fake_nvml_set_memory_used(unsigned int device, unsigned long long bytes) { memory_used[device] = bytes; }

void fake_nvml_set_lost(unsigned int device, int is_lost) { lost[device] = is_lost; }

void fake_nvml_set_power_error(unsigned int device, int result) { power_error[device] = result; }

int fake_nvml_initialised(void) { return initialised; }

static long memory_info_calls = 0;
static long utilization_calls = 0;

long fake_nvml_memory_info_calls(void) { return memory_info_calls; }

long fake_nvml_utilization_calls(void) { return utilization_calls; }

int nvmlInit_v2(void) {
    if (init_result == NVML_SUCCESS) {
        initialised++;
    }
    return init_result;
}

int nvmlShutdown(void) {
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    initialised--;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(int result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case 9: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

static int device_index(void *device) {
    if (!initialised) {
        return -NVML_ERROR_UNINITIALIZED;
    }
    for (int i = 0; i < DEVICES; i++) {
        if (device == &devices[i]) {
            return lost[i] ? -NVML_ERROR_GPU_IS_LOST : i;
        }
    }
    return -NVML_ERROR_INVALID_ARGUMENT;
}

int nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    *count = DEVICES;
    return NVML_SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void **device) {
    if (!initialised) {
        return NVML_ERROR_UNINITIALIZED;
    }
    if (index >= DEVICES) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    *device = &devices[index];
    return NVML_SUCCESS;
}

int nvmlDeviceGetUUID(void *device, char *uuid, unsigned int length) {
    int i = device_index(device);
    if (i < 0) {
        return -i;
    }
    if (length < 41) {
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    snprintf(uuid, length, "GPU-fa4e0000-0000-4000-8000-00000000000%d", i);
    return NVML_SUCCESS;
}

int nvmlDeviceGetName(void *device, char *name, unsigned int length) {
    int i = device_index(device);
    if (i < 0) {
        return -i;
    }
    snprintf(name, length, "Fake NVIDIA H200 #%d", i);
    return NVML_SUCCESS;
}

int nvmlDeviceGetUtilizationRates(void *device, nvmlUtilization_t *utilization) {
    int i = device_index(device);
    utilization_calls++;
    if (i < 0) {
        return -i;
    }
    utilization->gpu = utilization_percent[i];
    utilization->memory = utilization_percent[i] / 2;
    return NVML_SUCCESS;
}

int nvmlDeviceGetMemoryInfo(void *device, nvmlMemory_t *memory) {
    int i = device_index(device);
    memory_info_calls++;
    if (i < 0) {
        return -i;
    }
    memory->total = 150754820096ULL; /* an H200's 140.4 GiB */
    memory->used = memory_used[i];
    memory->free = memory->total - memory->used;
    return NVML_SUCCESS;
}

int nvmlDeviceGetPowerUsage(void *device, unsigned int *milliwatts) {
    int i = device_index(device);
    if (i < 0) {
        return -i;
    }
    if (i == 1) {
        return NVML_ERROR_NOT_SUPPORTED;
    }
    if (power_error[i]) {
        return power_error[i];
    }
    *milliwatts = 123456;
    return NVML_SUCCESS;
}

int nvmlDeviceGetPowerManagementLimit(void *device, unsigned int *milliwatts) {
    int i = device_index(device);
    if (i < 0) {
        return -i;
    }
    *milliwatts = 700000;
    return NVML_SUCCESS;
}

int nvmlDeviceGetTemperature(void *device, int sensor, unsigned int *celsius) {
    int i = device_index(device);
    if (i < 0) {
        return -i;
    }
    if (sensor != 0) {
        return NVML_ERROR_INVALID_ARGUMENT;
    }
    *celsius = 41 + i;
    return NVML_SUCCESS;
}
