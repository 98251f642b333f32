#include "uplink/outbox.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "uplink/uplink_test_util.h"

namespace sightline::uplink {
namespace {

class OutboxTest : public ::testing::Test {
 protected:
  std::unique_ptr<Outbox> Install() { return site_.InstallOutbox(); }
  int64_t AddClosedEvent(const std::string& camera) { return site_.AddClosedEvent(camera); }
  std::vector<OutboxRow> Rows(Outbox& outbox, Lane lane) {
    Result<std::vector<OutboxRow>> rows = outbox.ReadAfter(lane, 0, 1000);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? *rows : std::vector<OutboxRow>{};
  }

  testing::SiteDatabase site_;
  const std::string& path_ = site_.path;
  store::Index* index_ = site_.index.get();
  auth::AccountStore* accounts_ = site_.accounts.get();
  store::Db* db_ = site_.db.get();
};

TEST_F(OutboxTest, WithoutInstallNothingIsRecordedAndUninstallIsANoOp) {
  AddClosedEvent("front");
  Result<int64_t> left = Outbox::Uninstall(*db_);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(*left, 0);
  EXPECT_FALSE(Outbox::Open(path_).ok());
}

TEST_F(OutboxTest, EachReportedRowGetsTheNextIdOfItsLaneWithItsFieldsAsJson) {
  std::unique_ptr<Outbox> outbox = Install();
  ASSERT_NE(outbox, nullptr);
  EXPECT_TRUE(IsValidEpoch(outbox->epoch()));
  const int64_t first = AddClosedEvent("front");
  AddClosedEvent("back");
  ASSERT_TRUE(index_->AddEvents({{5000, "disk_full", "", "", "disk /a is full"}}).ok());
  ASSERT_TRUE(accounts_->Audit({.user = "ann", .action = "export", .camera = "front"}).ok());

  const std::vector<OutboxRow> events = Rows(*outbox, Lane::kEvent);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].seq, 1);
  EXPECT_EQ(events[1].seq, 2);
  EXPECT_EQ(events[0].kind, "motion_event");
  EXPECT_EQ(events[0].time_us, 2000);
  const nlohmann::json body = nlohmann::json::parse(events[0].body);
  EXPECT_EQ(body["id"], first);
  EXPECT_EQ(body["camera"], "front");
  EXPECT_EQ(body["zones"], "door");
  EXPECT_EQ(body["end_us"], 2000);

  const std::vector<OutboxRow> alarms = Rows(*outbox, Lane::kAlarm);
  ASSERT_EQ(alarms.size(), 1u);
  EXPECT_EQ(alarms[0].seq, 1);
  EXPECT_EQ(alarms[0].kind, "store_event");
  EXPECT_EQ(nlohmann::json::parse(alarms[0].body)["kind"], "disk_full");

  const std::vector<OutboxRow> audit = Rows(*outbox, Lane::kAudit);
  ASSERT_EQ(audit.size(), 1u);
  const nlohmann::json a = nlohmann::json::parse(audit[0].body);
  EXPECT_EQ(a["action"], "export");
  EXPECT_EQ(a["user"], "ann");
  EXPECT_EQ(a["hash"].get<std::string>().size(), 64u) << "the chain's hash travels with the row";
}

TEST_F(OutboxTest, AMotionEventIsReportedOnceWhenItClosesNotWhileOpenNorOnLaterUpdates) {
  std::unique_ptr<Outbox> outbox = Install();
  ASSERT_NE(outbox, nullptr);
  store::MotionEventRow e;
  e.camera = "front";
  e.stream = "sub";
  e.start_us = 1000;
  Result<int64_t> id = index_->AddMotionEvent(e);
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(Rows(*outbox, Lane::kEvent).empty()) << "open events are not reported";
  e.id = *id;
  e.end_us = 9000;
  ASSERT_TRUE(index_->UpdateMotionEvent(e).ok());
  e.thumbnail = {1, 2, 3};
  ASSERT_TRUE(index_->UpdateMotionEvent(e).ok());
  const std::vector<OutboxRow> rows = Rows(*outbox, Lane::kEvent);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(rows[0].body)["end_us"], 9000);
  // Recovery closes events a crash left open, in SQL: reported too.
  store::MotionEventRow open;
  open.camera = "back";
  open.stream = "sub";
  open.start_us = 5000;
  ASSERT_TRUE(index_->AddMotionEvent(open).ok());
  ASSERT_TRUE(index_->CloseOpenMotionEvents().ok());
  EXPECT_EQ(Rows(*outbox, Lane::kEvent).size(), 2u);
}

TEST_F(OutboxTest, ARolledBackTransactionLeavesNeitherTheRowNorItsOutboxEntry) {
  std::unique_ptr<Outbox> outbox = Install();
  ASSERT_NE(outbox, nullptr);
  ASSERT_TRUE(db_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(db_->Exec("INSERT INTO events (time_us, kind, message) VALUES (1, 'recovery', 'x')").ok());
  ASSERT_TRUE(db_->Exec("ROLLBACK").ok());
  EXPECT_TRUE(Rows(*outbox, Lane::kAlarm).empty());
  Result<LaneBacklog> backlog = outbox->Backlog(Lane::kAlarm);
  ASSERT_TRUE(backlog.ok());
  EXPECT_EQ(backlog->last_seq, 0) << "the id counter rolled back with the row";
}

TEST_F(OutboxTest, DeletingThroughAWatermarkKeepsIdsGoingAndTheAcknowledgedPointFollows) {
  std::unique_ptr<Outbox> outbox = Install();
  ASSERT_NE(outbox, nullptr);
  for (int i = 0; i < 3; ++i) AddClosedEvent("front");
  EXPECT_EQ(*outbox->AcknowledgedThrough(Lane::kEvent), 0);
  ASSERT_TRUE(outbox->DeleteThrough(Lane::kEvent, 2).ok());
  EXPECT_EQ(*outbox->AcknowledgedThrough(Lane::kEvent), 2);
  ASSERT_TRUE(outbox->DeleteThrough(Lane::kEvent, 3).ok());
  EXPECT_EQ(*outbox->AcknowledgedThrough(Lane::kEvent), 3) << "an empty lane: its last id";
  AddClosedEvent("front");
  const std::vector<OutboxRow> rows = Rows(*outbox, Lane::kEvent);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].seq, 4) << "ids are never reused";
  EXPECT_EQ(outbox->Backlog(Lane::kEvent)->rows, 1);
}

TEST_F(OutboxTest, InstallIsIdempotentAndKeepsTheEpochAndUninstallStopsRecording) {
  std::unique_ptr<Outbox> outbox = Install();
  ASSERT_NE(outbox, nullptr);
  const std::string epoch = outbox->epoch();
  AddClosedEvent("front");
  std::unique_ptr<Outbox> again = Install();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->epoch(), epoch);
  Result<int64_t> left = Outbox::Uninstall(*db_);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(*left, 1);
  AddClosedEvent("front");
  EXPECT_EQ(Rows(*again, Lane::kEvent).size(), 1u) << "nothing recorded while uninstalled";
  std::unique_ptr<Outbox> back = Install();
  AddClosedEvent("front");
  EXPECT_EQ(Rows(*back, Lane::kEvent).back().seq, 2);
}

}  // namespace
}  // namespace sightline::uplink
