package dev.atelier.jobs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A running job as its {@link TrainingCompanion} sees it. */
record CompanionHandle(Job job, JobContext ctx, Path workDir, JobRun run) implements TrainingCompanion.Handle {
  @Override
  public String name() {
    return job.name();
  }

  @Override
  public String owner() {
    return job.createdBy();
  }

  @Override
  public String containerUser() {
    return ctx.user();
  }

  @Override
  public String ownerLabel() {
    return ctx.owner();
  }

  @Override
  public void edit(Consumer<ObjectNode> edit) {
    job.edit(edit);
  }

  @Override
  public void note(String line) {
    job.log().note(line);
  }

  @Override
  public void stop(String reason) {
    run.stopBecause(reason);
  }
}
