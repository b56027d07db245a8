// olly-view's stage: reads every event into a view::Table and renders it at
// the end, or, with --watch, re-renders it in place while the stream runs.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/run.h"
#include "core/stage.h"
#include "view/render.h"
#include "view/table.h"

namespace olly {

struct ViewCliOptions {
  CommonOptions common;
  std::vector<std::string> files;
  std::string format = "table";
  std::string columns;  // comma-separated
  std::string by;       // comma-separated
  size_t windows = 20;
  bool flat = false;
  bool watch = false;
  double interval = 0.25;  // seconds between --watch frames at most (hidden)
  std::string title = "olly view";
};

class ViewStage : public Stage {
 public:
  // Checks the options (UsageError naming the flag) and decides color and width.
  explicit ViewStage(const ViewCliOptions& opts);
  ~ViewStage() override;

  Result on_event(Event& ev, Emitter& out) override;
  void on_end(Emitter& out) override;

 private:
  void render(std::string& out, const view::Flush& flush = {});  // the whole view (under mu_ in --watch)
  void watch_loop();
  void write_frame();

  ViewCliOptions cli_;
  view::ViewOptions opts_;
  view::Table table_;
  bool tty_ = false;

  // --watch: a thread draws the table at most every interval while events come.
  std::mutex mu_;
  std::condition_variable wake_;
  bool dirty_ = false;
  bool stop_ = false;
  std::thread painter_;
  std::string frame_;
};

}  // namespace olly
