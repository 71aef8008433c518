#include "schemas/user_data_format.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

TEST(UserDataFormat, RecognisesHeaders) {
  EXPECT_EQ(DetectUserDataFormat("#cloud-config\na: 1\n"),
            UserDataFormat::kCloudConfig);
  EXPECT_EQ(DetectUserDataFormat("#cloud-config\r\n"),
            UserDataFormat::kCloudConfig);
  EXPECT_EQ(DetectUserDataFormat("#cloud-config"),
            UserDataFormat::kCloudConfig);
  EXPECT_EQ(DetectUserDataFormat("\xEF\xBB\xBF#cloud-config\n"),
            UserDataFormat::kCloudConfig);
  EXPECT_EQ(DetectUserDataFormat("#cloud-config-archive\n- type: x\n"),
            UserDataFormat::kCloudConfigArchive);
  EXPECT_EQ(DetectUserDataFormat("#cloud-config-jsonp\n[]"),
            UserDataFormat::kCloudConfigJsonp);
  EXPECT_EQ(DetectUserDataFormat("## template: jinja\n#cloud-config\n"),
            UserDataFormat::kJinjaTemplate);
  EXPECT_EQ(DetectUserDataFormat("#!/bin/sh\necho hi\n"),
            UserDataFormat::kScript);
  EXPECT_EQ(DetectUserDataFormat("#cloud-boothook\n"),
            UserDataFormat::kBoothook);
  EXPECT_EQ(DetectUserDataFormat("#include\nhttp://x\n"),
            UserDataFormat::kInclude);
  EXPECT_EQ(DetectUserDataFormat("#include-once\nhttp://x\n"),
            UserDataFormat::kInclude);
  EXPECT_EQ(DetectUserDataFormat("#part-handler\n"),
            UserDataFormat::kPartHandler);
  EXPECT_EQ(DetectUserDataFormat("Content-Type: multipart/mixed; boundary=x\n"),
            UserDataFormat::kMime);
  EXPECT_EQ(DetectUserDataFormat(" \n\t\n"), UserDataFormat::kEmpty);
  EXPECT_EQ(DetectUserDataFormat(""), UserDataFormat::kEmpty);
  // The header must be the first line, as cloud-init requires.
  EXPECT_EQ(DetectUserDataFormat("\n#cloud-config\n"),
            UserDataFormat::kUnknown);
  EXPECT_EQ(DetectUserDataFormat("hostname: x\n"), UserDataFormat::kUnknown);
  EXPECT_EQ(DetectUserDataFormat("#cloud-configs\n"), UserDataFormat::kUnknown);
  EXPECT_STREQ(UserDataFormatName(UserDataFormat::kCloudConfigArchive),
               "cloud-config-archive");
}

}  // namespace
}  // namespace flamingo
