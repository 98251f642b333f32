#include "api/export_jobs.h"

#include <future>
#include <thread>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

namespace sightline::api {
namespace {

TEST(ExportJobsTest, OneExportPerUserAndAtMostTheLimitOverall) {
  ExportJobs jobs(2);
  Result<std::unique_ptr<ExportJobs::Slot>> alice = jobs.Acquire("alice");
  ASSERT_TRUE(alice.ok()) << alice.status();
  Result<std::unique_ptr<ExportJobs::Slot>> again = jobs.Acquire("alice");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(again.status().message().find("You have an export running"), std::string::npos);

  Result<std::unique_ptr<ExportJobs::Slot>> bob = jobs.Acquire("bob");
  ASSERT_TRUE(bob.ok()) << bob.status();
  Result<std::unique_ptr<ExportJobs::Slot>> carol = jobs.Acquire("carol");
  ASSERT_FALSE(carol.ok());
  EXPECT_EQ(carol.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(carol.status().message().find("busy with 2 exports"), std::string::npos);

  alice->reset();  // alice's download ended
  EXPECT_TRUE(jobs.Acquire("carol").ok());  // a temporary: released at once
  Result<std::unique_ptr<ExportJobs::Slot>> alice2 = jobs.Acquire("alice");
  EXPECT_TRUE(alice2.ok());
}

TEST(ExportJobsTest, RunsTasksOnItsOwnThreads) {
  ExportJobs jobs(1);
  std::promise<std::thread::id> ran;
  boost::asio::post(jobs.executor(), [&] { ran.set_value(std::this_thread::get_id()); });
  EXPECT_NE(ran.get_future().get(), std::this_thread::get_id());
}

}  // namespace
}  // namespace sightline::api
