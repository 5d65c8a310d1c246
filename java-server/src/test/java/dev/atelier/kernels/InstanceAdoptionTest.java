package dev.atelier.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atelier.http.Json;
import dev.atelier.catalog.InstanceCatalog;
import dev.atelier.runtime.AgentException;
import dev.atelier.runtime.InstanceRuntime;
import dev.atelier.runtime.InstanceSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What adoption takes over of an earlier server's instances, and what it removes. */
class InstanceAdoptionTest {
  @TempDir
  Path root;

  private final InstanceCatalog types = InstanceCatalog.load(null, null, 0);

  /** A runtime's survivors that records what adoption asks of it; taking one over fails as told. */
  private static final class FakeSurvivors implements InstanceAdoption.Survivors {
    final List<InstanceAdoption.Survivor> found = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    final List<InstanceSpec> specs = new ArrayList<>();
    RuntimeException listFails;

    @Override
    public List<InstanceAdoption.Survivor> found() {
      if (listFails != null) {
        throw listFails;
      }
      return found;
    }

    @Override
    public InstanceRuntime.Instance takeOver(InstanceAdoption.Survivor s, InstanceSpec spec) {
      specs.add(spec);
      throw new AgentException("its agent does not answer");
    }

    @Override
    public void remove(InstanceAdoption.Survivor s) {
      removed.add(s.runtimeId());
    }
  }

  private static InstanceAdoption.Survivor survivor(String id, String instanceId, String type, String image) {
    return new InstanceAdoption.Survivor(id, instanceId, type, image, Map.of("dev.atelier.owner", "me"), Instant.now());
  }

  // Nothing here is adopted, so adoption never reaches the pool or the kernel service.
  private InstanceAdoption adoption() {
    return new InstanceAdoption(null, null, types, root);
  }

  @Test
  void whatCannotBeTakenOverIsRemovedAndNotReportedAdopted() {
    FakeSurvivors runtime = new FakeSurvivors();
    runtime.found.add(survivor("c-unlabelled", null, null, null));
    runtime.found.add(survivor("c-unknown-type", "i-1", "ml.gone", "atelier/base:latest"));
    runtime.found.add(survivor("c-silent-agent", "i-2", "ml.m5.large", "atelier/base:latest"));
    assertThat(adoption().adopt(runtime)).isEmpty();
    assertThat(runtime.removed).containsExactly("c-unlabelled", "c-unknown-type", "c-silent-agent");
    // The instance it tried to take over keeps its type's size, image and labels.
    assertThat(runtime.specs).singleElement().satisfies(spec -> {
      assertThat(spec.instanceType()).isEqualTo("ml.m5.large");
      assertThat(spec.image()).isEqualTo("atelier/base:latest");
      assertThat(spec.cpus()).isEqualTo((double) types.require("ml.m5.large").vcpus());
      assertThat(spec.memoryBytes()).isEqualTo(types.require("ml.m5.large").memoryBytes());
    });
  }

  @Test
  void aRuntimeThatCannotListItsSurvivorsLeavesEverythingInPlace() {
    FakeSurvivors runtime = new FakeSurvivors();
    runtime.found.add(survivor("c-1", "i-1", "ml.m5.large", "atelier/base:latest"));
    runtime.listFails = new AgentException("the Docker engine is not reachable");
    assertThat(adoption().adopt(runtime)).isEmpty();
    assertThat(runtime.removed).isEmpty();
  }

  @Test
  void aSurvivorsTypeMustStillBeOffered() {
    assertThat(adoption().typeOf(survivor("c", "i", "ml.m5.large", "local")).name()).isEqualTo("ml.m5.large");
    assertThatThrownBy(() -> adoption().typeOf(survivor("c", "i", null, "local")))
        .hasMessageContaining("no instance labels");
    assertThatThrownBy(() -> adoption().typeOf(survivor("c", "i", "ml.gone", "local")))
        .hasMessageContaining("ml.gone");
  }

  @Test
  void onlyLiveKernelsWithAConnectionAreConnectedToAgain() throws Exception {
    var reply = Json.mapper().readTree("""
        {"kernels": [
          {"kernel_id": "k1", "alive": true, "kernelspec": "ir", "session_name": "/w/a.ipynb",
           "connection": {"ip": "0.0.0.0", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4,
                          "hb_port": 5, "key": "abc"}},
          {"kernel_id": "k2", "alive": true, "connection": {"key": "def"}},
          {"kernel_id": "k3", "alive": false, "connection": {"key": "ghi"}},
          {"kernel_id": "k4", "alive": true}
        ]}""");
    List<InstanceAdoption.Found> found = InstanceAdoption.kernelsIn(reply);
    assertThat(found).extracting(InstanceAdoption.Found::id).containsExactly("k1", "k2");
    assertThat(found.get(0).specName()).isEqualTo("ir");
    assertThat(found.get(0).sessionName()).isEqualTo("/w/a.ipynb");
    assertThat(found.get(0).connection().key()).isEqualTo("abc");
    assertThat(found.get(0).connection().shellPort()).isEqualTo(1);
    assertThat(found.get(1).specName()).isEqualTo("python3");
    assertThat(found.get(1).sessionName()).isNull();
    assertThat(InstanceAdoption.kernelsIn(Json.mapper().readTree("{}"))).isEmpty();
  }
}
