package ai.lepton.callbacks;

import ai.lepton.LeptonException;
import ai.lepton.internal.Args;
import ai.lepton.models.Callback;
import ai.lepton.models.Model;
import ai.lepton.models.TrainingEvent;
import java.util.Map;

/**
 * Multiplies the learning rate by {@code factor} when the monitored quantity has not improved for
 * {@code patience} epochs, as Keras' ReduceLROnPlateau, never going below {@code minLr}.
 */
public final class ReduceLROnPlateau implements Callback {
  private final Monitor monitor;
  private final float factor;
  private final int patience;
  private final int cooldown;
  private final float minLr;
  private Model model;
  private double best;
  private int wait;
  private int cooldownLeft;

  public ReduceLROnPlateau(String monitor, float factor, int patience, double minDelta,
      int cooldown, float minLr) {
    if (!(factor > 0f && factor < 1f)) {
      throw new LeptonException("ReduceLROnPlateau: expected a factor in (0, 1), received "
          + factor);
    }
    if (patience < 0 || cooldown < 0 || minLr < 0f) {
      throw new LeptonException("ReduceLROnPlateau: expected patience, cooldown and minLr >= 0, "
          + "received " + patience + ", " + cooldown + ", " + minLr);
    }
    this.monitor = Monitor.of(monitor, minDelta);
    this.factor = factor;
    this.patience = patience;
    this.cooldown = cooldown;
    this.minLr = minLr;
  }

  @Override
  public void setModel(Model model) {
    this.model = Args.nonNull(model, "ReduceLROnPlateau.setModel", "model");
  }

  @Override
  public void onEvent(TrainingEvent event) {
    Args.nonNull(event, "ReduceLROnPlateau.onEvent", "event");
    switch (event.kind()) {
      case TRAIN_BEGIN -> {
        best = monitor.worst();
        wait = 0;
        cooldownLeft = 0;
      }
      case EPOCH_END -> epochEnd(event.logs());
      default -> { }
    }
  }

  private void epochEnd(Map<String, Double> logs) {
    double value = monitor.read(logs);
    if (cooldownLeft > 0) {
      cooldownLeft--;
      wait = 0;
    }
    if (monitor.improves(value, best)) {
      best = value;
      wait = 0;
    } else if (cooldownLeft == 0 && ++wait >= patience) {
      float lr = model.optimizer().learningRate();
      if (lr > minLr) {
        model.optimizer().setLearningRate(Math.max(minLr, lr * factor));
        cooldownLeft = cooldown;
        wait = 0;
      }
    }
  }
}
