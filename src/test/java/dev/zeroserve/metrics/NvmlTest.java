package dev.zeroserve.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.zeroserve.testing.FakeNvml;

/** The JNA binding against a real shared library with NVML's signatures (src/test/c/fake-nvml.c). */
class NvmlTest {
    private final FakeNvml.Control fake = FakeNvml.control();

    @AfterEach
    void resetFake() {
        fake.fake_nvml_set_init_result(Nvml.SUCCESS);
        fake.fake_nvml_set_utilization(0, 37);
    }

    @Test
    void readsEveryGpuInTritonsUnits() throws Exception {
        int before = fake.fake_nvml_initialised();
        try (Nvml nvml = Nvml.open(FakeNvml.library())) {
            List<Nvml.Device> devices = nvml.devices();
            assertThat(devices).extracting(Nvml.Device::uuid).containsExactly(
                    "GPU-fa4e0000-0000-4000-8000-000000000000", "GPU-fa4e0000-0000-4000-8000-000000000001");
            assertThat(devices).extracting(Nvml.Device::name).containsExactly("Fake NVIDIA H200 #0",
                    "Fake NVIDIA H200 #1");
            Nvml.Device first = devices.get(0);
            assertThat(nvml.utilization(first)).isCloseTo(0.37, within(1e-12));
            assertThat(nvml.memory(first)).containsExactly(150754820096L, 150754820096L - 1073741824L, 1073741824L);
            assertThat(nvml.powerWatts(first)).isCloseTo(123.456, within(1e-9));
            assertThat(nvml.powerLimitWatts(first)).isEqualTo(700.0);
            assertThat(nvml.temperatureCelsius(first)).isEqualTo(41.0);
            assertThat(nvml.temperatureCelsius(devices.get(1))).isEqualTo(42.0);

            fake.fake_nvml_set_utilization(0, 99);
            assertThat(nvml.utilization(first)).isCloseTo(0.99, within(1e-12));
            assertThat(fake.fake_nvml_initialised()).isEqualTo(before + 1);
        }
        assertThat(fake.fake_nvml_initialised()).as("close shuts NVML down").isEqualTo(before);
    }

    @Test
    void aReadingTheBoardLacksIsNotSupportedRatherThanAFailure() throws Exception {
        try (Nvml nvml = Nvml.open(FakeNvml.library())) {
            Nvml.Device second = nvml.devices().get(1);
            assertThatThrownBy(() -> nvml.powerWatts(second)).isInstanceOfSatisfying(Nvml.NvmlException.class,
                    e -> {
                        assertThat(e.notSupported()).isTrue();
                        assertThat(e).hasMessage("nvmlDeviceGetPowerUsage: Not Supported (NVML error 3)");
                    });
        }
    }

    @Test
    void aDriverThatDoesNotStartIsReportedWithNvmlsOwnWords() {
        fake.fake_nvml_set_init_result(9);
        assertThatThrownBy(() -> Nvml.open(FakeNvml.library())).isInstanceOf(Nvml.NvmlException.class)
                .hasMessage("nvmlInit_v2: Driver Not Loaded (NVML error 9)");
    }

    @Test
    void noDriverIsALinkError() {
        assertThatThrownBy(() -> Nvml.open("libnvidia-ml-absent.so.1")).isInstanceOf(UnsatisfiedLinkError.class);
    }
}
