#include "onvif/events.h"

#include <gtest/gtest.h>

#include "onvif/xml.h"

namespace sightline::onvif {
namespace {

using std::chrono::milliseconds;

HttpUrl Base() { return *ParseHttpUrl("http://10.1.2.3:8080/onvif/event_service"); }

std::string Soap12(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
         "xmlns:tt=\"http://www.onvif.org/ver10/schema\" xmlns:tev=\"http://www.onvif.org/ver10/events/wsdl\" "
         "xmlns:wsnt=\"http://docs.oasis-open.org/wsn/b-2\" xmlns:wsa5=\"http://www.w3.org/2005/08/addressing\" "
         "xmlns:tns1=\"http://www.onvif.org/ver10/topics\"><env:Body>" +
         body + "</env:Body></env:Envelope>";
}

// As an Axis camera answers: the subscription named by a reference parameter, not the path.
const char* kCreated =
    "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference>"
    "<wsa5:Address>http://192.168.0.90/onvif/services</wsa5:Address><wsa5:ReferenceParameters>"
    "<dom0:SubscriptionId xmlns:dom0=\"http://www.axis.com/2009/event\">42</dom0:SubscriptionId>"
    "</wsa5:ReferenceParameters></tev:SubscriptionReference>"
    "<wsnt:CurrentTime>2026-12-07T10:00:00Z</wsnt:CurrentTime>"
    "<wsnt:TerminationTime>2026-12-07T10:01:00Z</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>";

std::string Message(const std::string& topic, const std::string& op, const std::string& source,
                    const std::string& data, const std::string& utc = "2026-12-07T10:00:05.250Z") {
  return "<wsnt:NotificationMessage><wsnt:Topic Dialect=\"http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet\">" +
         topic + "</wsnt:Topic><wsnt:Message><tt:Message UtcTime=\"" + utc + "\" PropertyOperation=\"" + op +
         "\"><tt:Source>" + source + "</tt:Source><tt:Data>" + data +
         "</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>";
}

std::string Item(const std::string& name, const std::string& value) {
  return "<tt:SimpleItem Name=\"" + name + "\" Value=\"" + value + "\"/>";
}

TEST(OnvifEventsTest, CreateAsksForTheLifetime) {
  SoapRequest r = CreatePullPointSubscriptionRequest(milliseconds(60000));
  EXPECT_EQ(r.action, "http://www.onvif.org/ver10/events/wsdl/EventPortType/CreatePullPointSubscriptionRequest");
  Result<XmlDoc> doc = ParseXml(r.body_xml);
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(NamespaceUri((*doc)->document_element()), kEventsNs);
  EXPECT_EQ(ChildText((*doc)->document_element(), "InitialTerminationTime"), "PT60S");
  EXPECT_TRUE(r.header_xml.empty());
}

TEST(OnvifEventsTest, SubscriptionAddressIsRebasedAndReferenceParametersKept) {
  Result<PullPointSubscription> s = ParseCreatePullPointSubscription(Soap12(kCreated), Base());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->address.ToString(), "http://10.1.2.3:8080/onvif/services");
  ASSERT_TRUE(s->lifetime.has_value());
  EXPECT_EQ(*s->lifetime, milliseconds(60000));
  // The parameter keeps its namespace declaration, so it means the same in our header.
  EXPECT_EQ(s->reference_parameters,
            "<dom0:SubscriptionId xmlns:dom0=\"http://www.axis.com/2009/event\">42</dom0:SubscriptionId>");
}

TEST(OnvifEventsTest, ReferenceParameterPrefixDeclaredOnTheEnvelopeIsCarriedOver) {
  const std::string body =
      "<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa5:Address>/onvif/sub?i=3</wsa5:Address>"
      "<wsa5:ReferenceParameters><tt:Id>3</tt:Id></wsa5:ReferenceParameters></tev:SubscriptionReference>"
      "</tev:CreatePullPointSubscriptionResponse>";
  Result<PullPointSubscription> s = ParseCreatePullPointSubscription(Soap12(body), Base());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->address.ToString(), "http://10.1.2.3:8080/onvif/sub?i=3");
  EXPECT_EQ(s->reference_parameters, "<tt:Id xmlns:tt=\"http://www.onvif.org/ver10/schema\">3</tt:Id>");
  EXPECT_FALSE(s->lifetime.has_value());
}

TEST(OnvifEventsTest, CreateWithoutAnAddressIsAnError) {
  Result<PullPointSubscription> s = ParseCreatePullPointSubscription(
      Soap12("<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference/></tev:CreatePullPointSubscriptionResponse>"),
      Base());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("Address"), std::string::npos) << s.status();
}

TEST(OnvifEventsTest, PullMessagesCarriesAddressingHeaders) {
  PullPointSubscription s = *ParseCreatePullPointSubscription(Soap12(kCreated), Base());
  SoapRequest r = PullMessagesRequest(s, milliseconds(10000), 50);
  EXPECT_EQ(r.action, "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest");
  Result<XmlDoc> body = ParseXml(r.body_xml);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(ChildText((*body)->document_element(), "Timeout"), "PT10S");
  EXPECT_EQ(ChildText((*body)->document_element(), "MessageLimit"), "50");
  // The whole envelope parses, with Action, To and the reference parameter in its Header.
  Result<XmlDoc> env = ParseXml(BuildEnvelope(r.body_xml, std::nullopt, r.header_xml));
  ASSERT_TRUE(env.ok()) << env.status();
  pugi::xml_node header = Child((*env)->document_element(), "Header");
  EXPECT_EQ(ChildText(header, "Action"), r.action);
  EXPECT_EQ(ChildText(header, "To"), "http://10.1.2.3:8080/onvif/services");
  EXPECT_EQ(ChildText(header, "SubscriptionId"), "42");
  EXPECT_EQ(NamespaceUri(Child(header, "SubscriptionId")), "http://www.axis.com/2009/event");
}

TEST(OnvifEventsTest, RenewAndUnsubscribeGoToTheSubscription) {
  PullPointSubscription s = *ParseCreatePullPointSubscription(Soap12(kCreated), Base());
  SoapRequest renew = RenewRequest(s, milliseconds(60000));
  EXPECT_EQ(renew.action, "http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest");
  EXPECT_NE(renew.body_xml.find("<wsnt:TerminationTime>PT60S</wsnt:TerminationTime>"), std::string::npos);
  EXPECT_NE(renew.header_xml.find("SubscriptionId"), std::string::npos);
  SoapRequest unsubscribe = UnsubscribeRequest(s);
  EXPECT_NE(unsubscribe.header_xml.find("UnsubscribeRequest"), std::string::npos);
  Result<std::optional<milliseconds>> renewed = ParseRenew(
      Soap12("<wsnt:RenewResponse><wsnt:TerminationTime>2026-12-07T10:02:00Z</wsnt:TerminationTime>"
             "<wsnt:CurrentTime>2026-12-07T10:01:30Z</wsnt:CurrentTime></wsnt:RenewResponse>"));
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  EXPECT_EQ(renewed->value(), milliseconds(30000));
}

TEST(OnvifEventsTest, PullMessagesReadsNotifications) {
  const std::string body = "<tev:PullMessagesResponse><tev:CurrentTime>2026-12-07T10:00:10Z</tev:CurrentTime>"
                           "<tev:TerminationTime>2026-12-07T10:00:50Z</tev:TerminationTime>" +
                           Message("tns1:VideoSource/MotionAlarm", "Changed", Item("Source", "VideoSource_1"),
                                   Item("State", "true")) +
                           Message("tns1:Device/Trigger/DigitalInput", "Initialized", Item("InputToken", "DI_1"),
                                   Item("LogicalState", "false")) +
                           "</tev:PullMessagesResponse>";
  Result<PullMessagesResult> r = ParsePullMessages(Soap12(body));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->lifetime, milliseconds(40000));
  ASSERT_EQ(r->notifications.size(), 2u);
  const Notification& motion = r->notifications[0];
  EXPECT_EQ(motion.topic, "VideoSource/MotionAlarm");
  EXPECT_TRUE(motion.standard_topic);
  EXPECT_EQ(motion.property_operation, "Changed");
  ASSERT_TRUE(motion.utc_time.has_value());
  EXPECT_EQ(FormatDateTime(*motion.utc_time).substr(0, 19), "2026-12-07T10:00:05");
  std::optional<CameraSignal> s = Classify(motion);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->kind, CameraEventKind::kMotion);
  EXPECT_TRUE(s->state);
  EXPECT_FALSE(s->initialized);
  std::optional<CameraSignal> input = Classify(r->notifications[1]);
  ASSERT_TRUE(input.has_value());
  EXPECT_EQ(input->kind, CameraEventKind::kInput);
  EXPECT_EQ(input->input, "DI_1");
  EXPECT_FALSE(input->state);
  EXPECT_TRUE(input->initialized);
}

TEST(OnvifEventsTest, AnEmptyPullIsNoError) {
  Result<PullMessagesResult> r = ParsePullMessages(Soap12("<tev:PullMessagesResponse/>"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->notifications.empty());
  EXPECT_FALSE(r->lifetime.has_value());
}

TEST(OnvifEventsTest, AFaultOnPullIsItsStatus) {
  Result<PullMessagesResult> r = ParsePullMessages(Soap12(
      "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>ter:InvalidArgVal</env:Value>"
      "</env:Subcode></env:Code><env:Reason><env:Text xml:lang=\"en\">no such subscription</env:Text></env:Reason>"
      "</env:Fault>"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no such subscription"), std::string::npos) << r.status();
}

Notification Make(const std::string& topic, const std::vector<std::pair<std::string, std::string>>& data,
                  bool standard = true) {
  Notification n;
  n.topic = topic;
  n.standard_topic = standard;
  n.property_operation = "Changed";
  n.data = data;
  return n;
}

TEST(OnvifEventsTest, EveryKeptTopicIsClassified) {
  struct Case {
    std::string topic, item;
    CameraEventKind kind;
  };
  for (const Case& c : std::vector<Case>{
           {"VideoSource/MotionAlarm", "State", CameraEventKind::kMotion},
           {"RuleEngine/CellMotionDetector/Motion", "IsMotion", CameraEventKind::kMotion},
           {"RuleEngine/MotionRegionDetector/Motion", "State", CameraEventKind::kMotion},
           {"VideoSource/GlobalSceneChange/ImagingService", "State", CameraEventKind::kTamper},
           {"RuleEngine/TamperDetector/Tamper", "IsTamper", CameraEventKind::kTamper},
           {"VideoSource/ImageTooBlurry/ImagingService", "State", CameraEventKind::kTamper},
           {"Device/Trigger/DigitalInput", "LogicalState", CameraEventKind::kInput},
       }) {
    std::optional<CameraSignal> s = Classify(Make(c.topic, {{c.item, "1"}}));
    ASSERT_TRUE(s.has_value()) << c.topic;
    EXPECT_EQ(s->kind, c.kind) << c.topic;
    EXPECT_TRUE(s->state) << c.topic;
  }
  // Firmware writes the topic in other cases.
  EXPECT_TRUE(Classify(Make("videosource/motionalarm", {{"state", "TRUE"}})).has_value());
}

TEST(OnvifEventsTest, TopicsThatDescribePeopleAndVendorTopicsAreIgnored) {
  // The allow list keeps nothing about faces, people, attributes or object ids.
  for (const char* topic : {"RuleEngine/FaceDetector/Face", "RuleEngine/Recognition/Face",
                                   "RuleEngine/MyRuleDetector/PeopleDetect", "RuleEngine/LineDetector/Crossed",
                                   "RuleEngine/FieldDetector/ObjectsInside", "VideoAnalytics/Human/Attributes",
                                   "Monitoring/ProcessorUsage"}) {
    EXPECT_FALSE(Classify(Make(topic, {{"State", "true"}, {"IsMotion", "true"}})).has_value()) << topic;
  }
  // A standard path under a vendor's namespace is the vendor's.
  EXPECT_FALSE(Classify(Make("VideoSource/MotionAlarm", {{"State", "true"}}, false)).has_value());
}

TEST(OnvifEventsTest, VendorPrefixIsResolvedThroughItsDeclaration) {
  const std::string body =
      "<tev:PullMessagesResponse>" +
      Message("tnsaxis:VideoSource/MotionAlarm", "Changed", Item("Source", "0"), Item("State", "1")) +
      "<wsnt:NotificationMessage xmlns:onv=\"http://www.onvif.org/ver10/topics\"><wsnt:Topic>onv:VideoSource/"
      "MotionAlarm</wsnt:Topic><wsnt:Message><tt:Message PropertyOperation=\"Changed\"><tt:Data>" +
      Item("State", "1") + "</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage></tev:PullMessagesResponse>";
  Result<PullMessagesResult> r = ParsePullMessages(Soap12(body));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->notifications.size(), 2u);
  EXPECT_FALSE(r->notifications[0].standard_topic);  // tnsaxis: undeclared, not tns1
  EXPECT_TRUE(r->notifications[1].standard_topic);   // any prefix bound to the ONVIF topics
  EXPECT_FALSE(r->notifications[1].utc_time.has_value());
}

TEST(OnvifEventsTest, MissingOrOddStatesAndDeletedPropertiesAreIgnored) {
  EXPECT_FALSE(Classify(Make("VideoSource/MotionAlarm", {})).has_value());
  EXPECT_FALSE(Classify(Make("VideoSource/MotionAlarm", {{"State", "maybe"}})).has_value());
  Notification deleted = Make("VideoSource/MotionAlarm", {{"State", "false"}});
  deleted.property_operation = "Deleted";
  EXPECT_FALSE(Classify(deleted).has_value());
}

TEST(OnvifEventsTest, InputTokensAreMadePlain) {
  Notification n = Make("Device/Trigger/DigitalInput", {{"LogicalState", "true"}});
  n.source = {{"InputToken", "in 1/<x>"}};
  std::optional<CameraSignal> s = Classify(n);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->input, "in_1__x_");
}

TEST(OnvifEventsTest, TooManyNotificationsAreCounted) {
  std::string body = "<tev:PullMessagesResponse>";
  for (size_t i = 0; i < kMaxNotifications + 5; ++i) {
    body += Message("tns1:VideoSource/MotionAlarm", "Changed", Item("Source", "0"), Item("State", "1"));
  }
  body += "</tev:PullMessagesResponse>";
  Result<PullMessagesResult> r = ParsePullMessages(Soap12(body));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->notifications.size(), kMaxNotifications);
  EXPECT_EQ(r->dropped, 5u);
}

TEST(OnvifEventsTest, KindNames) {
  for (CameraEventKind k : {CameraEventKind::kMotion, CameraEventKind::kTamper, CameraEventKind::kInput}) {
    EXPECT_EQ(*ParseCameraEventKind(CameraEventKindName(k)), k);
  }
  EXPECT_FALSE(ParseCameraEventKind("face").ok());
}

}  // namespace
}  // namespace sightline::onvif
