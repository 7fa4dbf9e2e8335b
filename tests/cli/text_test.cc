#include "cli/text.h"

#include <gtest/gtest.h>

namespace consulate::cli {
namespace {

TEST(WrapTextTest, ShortTextStaysOnOneLine) {
  EXPECT_EQ(WrapText("one two three", 20), "one two three");
  EXPECT_EQ(WrapText("  padded\ntext  ", 20), "padded text");
}

TEST(WrapTextTest, MinimisesRaggednessNotGreedy) {
  // Greedy filling would give "aaaa bbb c" / "ddddd" / "eeeee" / "fffff".
  EXPECT_EQ(WrapText("aaaa bbb c ddddd eeeee fffff", 10), "aaaa bbb\nc ddddd\neeeee\nfffff");
}

TEST(WrapTextTest, OverlongWordGetsItsOwnLine) {
  EXPECT_EQ(WrapText("a verylongwordhere b", 6), "a\nverylongwordhere\nb");
}

TEST(WrapTextTest, CountsCodePointsNotBytes) {
  // Four two-byte characters are four columns.
  EXPECT_EQ(WrapText("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 ab", 7),
            "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 ab");
}

TEST(WrapAtLengthTest, IndentsToSeventyTwoColumns) {
  std::string text(40, 'x');
  text += " ";
  text += std::string(40, 'y');
  EXPECT_EQ(WrapAtLength(text, 5),
            "     " + std::string(40, 'x') + "\n     " + std::string(40, 'y'));
}

TEST(TabFormatTest, AlignsColumnsWithPadding) {
  EXPECT_EQ(TabFormat("CreateIndex\t5\nKey\tfoo\nValue\tbar", 0, 6),
            "CreateIndex      5\n"
            "Key              foo\n"
            "Value            bar");
}

TEST(TabFormatTest, EmptyLastCellIsNotPadded) {
  // Go's tabwriter does not pad a final "Value\t" with nothing after it.
  EXPECT_EQ(TabFormat("Key\tfoo\nValue\t", 0, 6), "Key      foo\nValue");
}

TEST(TabFormatTest, LinesWithoutTabsEndColumnBlocks) {
  // A multi-line value: the continuation lines have no cells and break the block.
  EXPECT_EQ(TabFormat("Key\tk\nValue\tline1\nline2\nNext\tz", 0, 2),
            "Key    k\nValue  line1\nline2\nNext  z");
}

TEST(TabFormatTest, ExtraTabsMakeMoreColumns) {
  EXPECT_EQ(TabFormat("a\tb\tc\nlonger\tx", 0, 1), "a      b c\nlonger x");
  EXPECT_EQ(TabFormat("a\tb\n", 0, 1), "a b\n");
}

}  // namespace
}  // namespace consulate::cli
