"""Small Arabic texts written for these tests, with the counts the tests check worked out by hand."""

L1 = "ذهب الولد إلى المدرسة."  # 22 chars; words 3+5+3+7
L3 = "عاد الولد من المدرسة."  # 21 chars; words 3+5+2+7
# 4 lines, lines 2 and 4 repeat line 1; 90 chars, 16 words.
REPEATED = "\n".join([L1, L1, L3, L1])

# 4 lines: two bullets, two ending in an ellipsis, two hashtags, one Arabic question mark, one Latin line.
MIXED = "- أولا نص قصير…\n- ثانيا نص آخر...\n#وسم #وسم2 كلام ؟\nhello world 2015"

NEWS = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة الرياض، وذلك ضمن خطة لتطوير الخدمات الطبية "
    "في المملكة. وقال المتحدث باسم الوزارة إن المستشفى يضم أكثر من ثلاثمائة سرير، وسيعمل على تقديم الرعاية "
    "للمرضى من مختلف المناطق.\n\n"
    "وأضاف أن العمل في المشروع بدأ قبل ثلاث سنوات، وأن الوزارة حرصت على تجهيزه بأحدث الأجهزة الطبية. "
    "كما أشار إلى أن المستشفى سيوفر فرص عمل للشباب السعوديين في مجالات التمريض والإدارة والخدمات الفنية.\n\n"
    "وتأتي هذه الخطوة بعد أن شهدت المدينة زيادة كبيرة في عدد السكان خلال السنوات الماضية، مما تطلب توسيع "
    "المرافق الصحية وتحسين جودتها."
)

ENGLISH = ("The ministry of health announced today the opening of a new hospital in the city, as part of a plan to "
           "develop medical services across the country. The spokesman said it has more than three hundred beds.")
PERSIAN = "وزارت بهداشت امروز از افتتاح یک بیمارستان جدید در شهر تهران خبر داد که بیش از سیصد تخت دارد."
URDU = "وزارت صحت نے آج شہر میں ایک نئے ہسپتال کے افتتاح کا اعلان کیا جس میں تین سو سے زیادہ بستر ہیں۔"
EGYPTIAN = "انا مش عارف ليه الناس بتعمل كده، بجد حاجة تضايق"
