#include "onvif/soap.h"

#include <gtest/gtest.h>

namespace sightline::onvif {
namespace {

TEST(OnvifSoapTest, EnvelopeWrapsTheBodyAndCarriesTheTokenWhenGiven) {
  const std::string plain = BuildEnvelope("<tds:GetDeviceInformation xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"/>");
  auto doc = ParseXml(plain);
  ASSERT_TRUE(doc.ok()) << doc.status();
  pugi::xml_node env = (*doc)->document_element();
  EXPECT_EQ(NamespaceUri(env), kSoap12Ns);
  EXPECT_FALSE(Child(env, "Header"));
  EXPECT_TRUE(Child(Child(env, "Body"), "GetDeviceInformation"));

  UsernameToken token = MakeUsernameToken("admin", "pw", RandomNonce(), std::chrono::system_clock::now());
  auto secured = ParseXml(BuildEnvelope("<x/>", token));
  ASSERT_TRUE(secured.ok()) << secured.status();
  auto parsed = ParseUsernameToken(Child((*secured)->document_element(), "Header"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->digest, token.digest);
}

TEST(OnvifSoapTest, ResponsesInSoap11And12WithAnyPrefixReachTheBodyElement) {
  const char* soap12 =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><env:Header/><env:Body>\n  "
      "<tds:GetDeviceInformationResponse><tds:Model>M</tds:Model></tds:GetDeviceInformationResponse>"
      "</env:Body></env:Envelope>";
  const char* soap11 =
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body>"
      "<GetDeviceInformationResponse xmlns=\"http://www.onvif.org/ver10/device/wsdl\"><Model>M</Model>"
      "</GetDeviceInformationResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>";
  for (const char* text : {soap12, soap11}) {
    auto r = ParseResponse(text, "GetDeviceInformationResponse");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(ChildText(r->body, "Model"), "M");
  }
  auto wrong = ParseResponse(soap12, "GetProfilesResponse");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("expected GetProfilesResponse"), std::string::npos) << wrong.status();
}

TEST(OnvifSoapTest, NotAnEnvelopeIsRefused) {
  EXPECT_NE(ParseEnvelope("<html><body>401</body></html>").status().message().find("not an Envelope"),
            std::string::npos);
  EXPECT_NE(ParseEnvelope("<s:Envelope xmlns:s=\"urn:other\"><s:Body><a/></s:Body></s:Envelope>")
                .status().message().find("neither SOAP"),
            std::string::npos);
  EXPECT_NE(ParseEnvelope("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"/>")
                .status().message().find("no Body"),
            std::string::npos);
  EXPECT_NE(ParseEnvelope("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body> </s:Body></s:Envelope>")
                .status().message().find("Body is empty"),
            std::string::npos);
  EXPECT_FALSE(ParseEnvelope("").ok());
}

// Hikvision-style SOAP 1.2 fault for a refused UsernameToken.
TEST(OnvifSoapTest, Soap12FaultNamesCodeSubcodeAndReason) {
  const char* fault =
      "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:ter=\"http://www.onvif.org/ver10/error\"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value>"
      "<env:Subcode><env:Value>ter:NotAuthorized</env:Value></env:Subcode></env:Code><env:Reason>"
      "<env:Text xml:lang=\"en\">Sender not Authorized</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>";
  Status s = ParseEnvelope(fault).status();
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message(), "SOAP Fault env:Sender/ter:NotAuthorized: Sender not Authorized");
}

TEST(OnvifSoapTest, FaultCodesMapToStatusCodes) {
  auto fault12 = [](const std::string& subcodes) {
    return "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault><s:Code>" + subcodes +
           "</s:Code><s:Reason><s:Text>r</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>";
  };
  EXPECT_EQ(ParseEnvelope(fault12("<s:Value>s:Sender</s:Value><s:Subcode><s:Value>ter:InvalidArgVal</s:Value>"
                                  "<s:Subcode><s:Value>ter:NoProfile</s:Value></s:Subcode></s:Subcode>"))
                .status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ParseEnvelope(fault12("<s:Value>s:Receiver</s:Value><s:Subcode><s:Value>ter:ActionNotSupported</s:Value>"
                                  "</s:Subcode>"))
                .status().code(),
            StatusCode::kUnimplemented);
  EXPECT_EQ(ParseEnvelope(fault12("<s:Value>s:Receiver</s:Value>")).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(ParseEnvelope(fault12("<s:Value>s:Sender</s:Value>")).status().code(), StatusCode::kInvalidArgument);
  // WS-Security's own fault code, from a camera that checks tokens in its SOAP stack.
  EXPECT_EQ(ParseEnvelope(fault12("<s:Value>s:Sender</s:Value><s:Subcode><s:Value>wsse:FailedAuthentication"
                                  "</s:Value></s:Subcode>"))
                .status().code(),
            StatusCode::kUnauthenticated);
  Status nocode = ParseEnvelope(fault12("")).status();
  EXPECT_NE(nocode.message().find("(no code)"), std::string::npos) << nocode;
}

// Dahua-style SOAP 1.1 fault.
TEST(OnvifSoapTest, Soap11FaultUsesFaultcodeAndFaultstring) {
  const char* fault =
      "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body><SOAP-ENV:Fault>"
      "<faultcode>SOAP-ENV:Client</faultcode><faultstring>Method 'GetFoo' not implemented</faultstring>"
      "</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>";
  Status s = ParseEnvelope(fault).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "SOAP Fault SOAP-ENV:Client: Method 'GetFoo' not implemented");
}

TEST(OnvifSoapTest, StrayAmpersandsAreEscapedOnlyWhenTheDocumentDoesNotParse) {
  EXPECT_EQ(EscapeStrayAmpersands("a&b &amp; &#38; &#x26; &lt; & &x"), "a&amp;b &amp; &#38; &#x26; &lt; &amp; &amp;x");
  auto r = ParseResponse(
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><R><Uri>rtsp://c/a?x=1&y=2&amp;z=3</Uri>"
      "</R></s:Body></s:Envelope>",
      "R");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(ChildText(r->body, "Uri"), "rtsp://c/a?x=1&y=2&z=3");
  // Still broken after the repair: the error describes the document as received.
  auto broken = ParseEnvelope("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">&<s:Body>");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("at byte"), std::string::npos) << broken.status();
}

}  // namespace
}  // namespace sightline::onvif
