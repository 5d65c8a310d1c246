package dev.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atelier.http.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code SM_*} variables of a training job, as SageMaker's training toolkit
 * ({@code sagemaker_training.environment.Environment.to_env_vars}) sets them for one host, so that
 * images without the toolkit see what images with it see. The rules:
 *
 * <ul>
 *   <li>hyperparameter values are JSON-decoded when they are JSON ({@code "4"} is 4), kept as
 *       strings otherwise; the {@code sagemaker_*} ones (and the toolkit's few others) are the
 *       toolkit's own and are left out of {@code SM_HPS}, {@code SM_HP_*} and the arguments;
 *   <li>a name becomes {@code SM_} + the name upper-cased, nothing replaced
 *       ({@code learning-rate} is {@code SM_HP_LEARNING-RATE}, channel {@code train} is
 *       {@code SM_CHANNEL_TRAIN});
 *   <li>a string value is set as it is; any other value as compact JSON with sorted keys and
 *       non-ASCII characters escaped ({@code {"epochs":4,"learning-rate":0.25}}).
 * </ul>
 *
 * The in-image toolkit ({@code atelier.toolkit}) keeps every variable set here and derives the same
 * values itself only where the server did not run the job; both are checked against one table of
 * cases ({@code kernel-gateway/tests/sm_environment_cases.json}).
 */
final class TrainingEnvironment {
  /** Hyperparameters the toolkit keeps for itself beside those starting with {@code sagemaker_}. */
  static final Set<String> TOOLKIT_PARAMETERS = Set.of("sagemaker_program", "sagemaker_submit_directory",
      "sagemaker_enable_cloudwatch_metrics", "sagemaker_region", "sagemaker_container_log_level",
      "sagemaker_job_name", "default_user_module_name", "_tuning_objective_metric", "sagemaker_s3_output");
  static final List<String> DISTRIBUTION_SWITCHES = List.of("sagemaker_mpi_enabled",
      "sagemaker_parameter_server_enabled", "sagemaker_distributed_dataparallel_enabled", "sagemaker_pytorch_ddp_enabled",
      "sagemaker_pytorch_xla_multi_worker_enabled", "sagemaker_multi_worker_mirrored_strategy_enabled",
      "sagemaker_torch_distributed_enabled");
  static final String BASE = "/opt/ml";
  static final String HOST = "algo-1";
  static final String GROUP = "homogeneousCluster";

  private TrainingEnvironment() {}

  /** Whether the toolkit takes this hyperparameter for itself rather than passing it to the program. */
  static boolean isToolkitParameter(String name) {
    return name.startsWith("sagemaker_") || TOOLKIT_PARAMETERS.contains(name);
  }

  /**
   * The variables, in the toolkit's names and format.
   *
   * @param hyperParameters the request's HyperParameters (strings, as SageMaker passes them)
   * @param channels the channel names, each with its inputdataconfig.json entry
   * @param resourceConfig what resourceconfig.json holds
   */
  static Map<String, String> of(String jobName, Map<String, String> hyperParameters, Map<String, JsonNode> channels,
      ObjectNode resourceConfig, String instanceType, long cpus, int gpus) {
    ObjectNode hps = Json.mapper().createObjectNode();
    ObjectNode framework = Json.mapper().createObjectNode();
    Map<String, JsonNode> toolkit = new LinkedHashMap<>();
    hyperParameters.forEach((k, v) -> {
      JsonNode value = PythonJson.decode(v);
      if (!isToolkitParameter(k)) {
        hps.set(k, value);
      } else {
        toolkit.put(k, value);
        if (!TOOLKIT_PARAMETERS.contains(k)) {
          framework.set(k, value);
        }
      }
    });
    JsonNode program = toolkit.get("sagemaker_program");
    JsonNode submit = toolkit.get("sagemaker_submit_directory");
    JsonNode logLevel = toolkit.getOrDefault("sagemaker_container_log_level", Json.mapper().getNodeFactory().numberNode(20));

    ObjectNode channelDirs = Json.mapper().createObjectNode();
    ObjectNode inputDataConfig = Json.mapper().createObjectNode();
    channels.forEach((name, config) -> {
      channelDirs.put(name, BASE + "/input/data/" + name);
      inputDataConfig.set(name, config);
    });
    ArrayNode channelNames = Json.mapper().createArrayNode();
    new TreeMap<>(channels).keySet().forEach(channelNames::add);
    ArrayNode hosts = Json.mapper().createArrayNode().add(HOST);
    ObjectNode groupsDict = Json.mapper().createObjectNode();
    groupsDict.putObject(GROUP).put("instance_group_name", GROUP).put("instance_type", instanceType)
        .set("hosts", hosts.deepCopy());
    ArrayNode userArgs = Json.mapper().createArrayNode();
    cmdArgs(hps).forEach(userArgs::add);

    // Every property the toolkit's environment has for one host, under its own name.
    ObjectNode t = Json.mapper().createObjectNode();
    t.set("additional_framework_parameters", framework);
    t.set("channel_input_dirs", channelDirs);
    t.put("current_host", HOST);
    t.put("current_instance_group", GROUP);
    t.set("current_instance_group_hosts", hosts.deepCopy());
    t.put("current_instance_type", instanceType);
    // The toolkit distributes over the instance group when one of its distribution switches is on.
    boolean distributed = DISTRIBUTION_SWITCHES.stream().anyMatch(k -> framework.path(k).asBoolean(false));
    t.set("distribution_hosts", distributed ? hosts.deepCopy() : Json.mapper().createArrayNode());
    t.set("distribution_instance_groups", distributed ? Json.mapper().createArrayNode().add(GROUP)
        : Json.mapper().createArrayNode());
    t.putNull("framework_module");
    t.set("hosts", hosts.deepCopy());
    t.set("hyperparameters", hps);
    t.set("input_data_config", inputDataConfig);
    t.put("input_config_dir", BASE + "/input/config");
    t.put("input_dir", BASE + "/input");
    t.set("instance_groups", Json.mapper().createArrayNode().add(GROUP));
    t.set("instance_groups_dict", groupsDict);
    t.put("is_hetero", false);
    t.put("is_master", true);
    t.putNull("is_modelparallel_enabled");
    t.put("is_smddpmprun_installed", false);
    t.put("is_smddprun_installed", false);
    t.put("job_name", jobName);
    t.set("log_level", logLevel);
    t.put("master_hostname", HOST);
    t.put("model_dir", BASE + "/model");
    t.put("module_dir", submit != null ? PythonJson.str(submit) : BASE + "/code");
    String entry = program == null ? null : PythonJson.str(program);
    if (entry != null) {
      t.put("module_name", entry.endsWith(".py") ? entry.substring(0, entry.length() - 3) : entry);
      t.put("user_entry_point", entry);
    } else {
      t.putNull("module_name");
      t.putNull("user_entry_point");
    }
    t.put("network_interface_name", "eth0");
    t.put("num_cpus", cpus);
    t.put("num_gpus", gpus);
    t.put("num_neurons", 0);
    t.put("output_data_dir", BASE + "/output/data");
    t.put("output_dir", BASE + "/output");
    t.put("output_intermediate_dir", BASE + "/output/intermediate");
    t.set("resource_config", resourceConfig);
    t.set("topology", Json.mapper().createArrayNode());

    Map<String, String> env = new LinkedHashMap<>();
    List<String> same = List.of("hosts", "network_interface_name", "resource_config", "input_data_config",
        "output_data_dir", "current_host", "current_instance_type", "current_instance_group",
        "current_instance_group_hosts", "instance_groups", "instance_groups_dict", "distribution_instance_groups",
        "is_hetero", "module_name", "log_level", "framework_module", "input_dir", "input_config_dir", "output_dir",
        "num_cpus", "num_gpus", "num_neurons", "model_dir", "module_dir", "output_intermediate_dir", "user_entry_point");
    for (String k : same) {
      // Without an entry point the toolkit has none to run, and these would say "None".
      if (entry != null || !(k.equals("module_name") || k.equals("user_entry_point"))) {
        env.put(name(k), PythonJson.envValue(t.get(k)));
      }
    }
    env.put("SM_HPS", PythonJson.envValue(hps));
    env.put("SM_FRAMEWORK_PARAMS", PythonJson.envValue(framework));
    env.put("SM_CHANNELS", PythonJson.envValue(channelNames));
    env.put("SM_TRAINING_ENV", PythonJson.envValue(t));
    env.put("SM_USER_ARGS", PythonJson.envValue(userArgs));
    channelDirs.properties().forEach(e -> env.put(name("channel_" + e.getKey()), e.getValue().asText()));
    hps.properties().forEach(e -> {
      // A name with '=' cannot be an environment variable's (the toolkit would fail on it).
      if (!e.getKey().contains("=")) {
        env.put(name("hp_" + e.getKey()), PythonJson.envValue(e.getValue()));
      }
    });
    return env;
  }

  /** {@code SM_} + the name upper-cased, as the toolkit's {@code to_env_vars} names them. */
  static String name(String key) {
    return "SM_" + key.toUpperCase(Locale.ROOT);
  }

  /** The toolkit's {@code to_cmd_args}: sorted by name, {@code --name value} ({@code -n} for one letter), a dict as {@code k=v,k2=v2}. */
  static List<String> cmdArgs(ObjectNode hps) {
    List<String> out = new ArrayList<>();
    List<String> names = new ArrayList<>();
    hps.fieldNames().forEachRemaining(names::add);
    names.sort(null);
    for (String n : names) {
      JsonNode v = hps.get(n);
      out.add(n.length() > 1 ? "--" + n : "-" + n);
      if (v.isObject()) {
        List<String> items = new ArrayList<>();
        new TreeMap<>(Json.mapper().convertValue(v, Map.class)).keySet()
            .forEach(k -> items.add(k + "=" + PythonJson.str(v.get(String.valueOf(k)))));
        out.add(String.join(",", items));
      } else {
        out.add(v.isNull() ? "" : PythonJson.str(v));
      }
    }
    return out;
  }
}
