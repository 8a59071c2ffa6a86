/*
 * synth.c - synthetic persons and their yearly surveys (see synth.h).
 *
 * Randomness is a keyed hash, splitmix64's step: hu(key, tag) is a uniform
 * number in [0,1) that depends only on key and tag, so no generator state
 * moves from item to item and changing one item's draws leaves the others
 * alone. The person key pk = H(seed, index) drives the identity; the year
 * key yk = H(pk, year) the yearly items. A yearly item that "sticks" uses
 * the person-key draw with probability `stick` and a fresh yearly draw
 * otherwise: answers persist and sometimes change. Sequences of draws
 * (names, phone digits, multi-choice picks) come from a splitmix64 stream
 * seeded by one keyed hash. Probabilities are doubles compared with those
 * uniforms; only + - * / are used, which IEEE 754 fixes bit for bit.
 *
 * A survey is made in three steps: the identity (ident_make: who, where,
 * household, contacts, education), the year's model (year_model: fill date,
 * method, age, self-care, 低保 and poverty, school, work, insurance,
 * subsidies, illness), then a walk over the catalog in order: each item
 * that record_asked() says is asked, given what is filled so far, is
 * written by its generator from gens[] (matched by code in synth_new):
 * a member of the model (gen_value), a yes/no rule whose probability
 * depends on the model (gen_rule, the NEED/RULE rows), or a function of
 * its own. The catalog's skip rules thus stay the only source of "asked";
 * an item gens[] lacks gets a neutral value when required (gen_default).
 */
#include "synth/synth.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "lib/date.h"
#include "core/idcard.h"
#include "lib/mem.h"
#include "lib/utf8.h"
#include "core/validate.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define GOLDEN		0x9E3779B97F4A7C15ULL
#define DEFAULT_SPAN	7	/* first year = today's year - 7 */
#define MAX_TRIES	65534	/* ID retries per person */
#define PERSON_SEQS	450	/* sequences 000-899, by sex */
#define HOLDER_SEQS	50	/* sequences 900-999, by sex */
#define NEED_STICK	0.7
#define JOIN_P		0.07	/* person joins the previous one's household */

/* ---- randomness -------------------------------------------------- */

static uint64_t
sm_next(uint64_t *s)
{
	uint64_t z = (*s += GOLDEN);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static uint64_t
hkey(uint64_t key, uint64_t tag)
{
	uint64_t s = key ^ (tag * 0xD1B54A32D192ED03ULL);

	return sm_next(&s);
}

static double
unit(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static double
hu(uint64_t key, uint64_t tag)
{
	return unit(hkey(key, tag));
}

static double
sm_unit(uint64_t *s)
{
	return unit(sm_next(s));
}

/* Uniform integer in 0..n-1. */
static uint32_t
sm_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((sm_next(s) >> 32) * n) >> 32);
}

static uint32_t
hbelow(uint64_t key, uint64_t tag, uint32_t n)
{
	return (uint32_t)(((hkey(key, tag) >> 32) * n) >> 32);
}

/* A weighted choice: codes with integer weights. */
struct cw {
	int	code;
	int	w;
};

static int
pick_cw(const struct cw *t, size_t n, double x)
{
	double left;
	long total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += t[i].w;
	left = x * (double)total;
	for (i = 0; i + 1 < n; i++) {
		if (left < t[i].w)
			return t[i].code;
		left -= t[i].w;
	}
	return t[n - 1].code;
}

/* Weighted strings (names). */
struct sw {
	const char	*s;
	int		 w;
};

static long
sw_total(const struct sw *t, size_t n)
{
	long total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += t[i].w;
	return total;
}

static const char *
pick_sw(const struct sw *t, size_t n, long total, double x)
{
	double left = x * (double)total;
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (left < t[i].w)
			return t[i].s;
		left -= t[i].w;
	}
	return t[n - 1].s;
}

/* A string built in a caller's buffer; stops (terminated) when full. */
struct sb {
	char	*p, *end;	/* end: the byte kept for the NUL */
};

static void
sb_init(struct sb *b, char *buf, size_t n)
{
	b->p = buf;
	b->end = buf + n - 1;
	*b->p = '\0';
}

static void
sb_str(struct sb *b, const char *s)
{
	while (*s != '\0' && b->p < b->end)
		*b->p++ = *s++;
	*b->p = '\0';
}

/* v in decimal, zero-padded to width digits. */
static void
sb_num(struct sb *b, uint64_t v, int width)
{
	char d[24];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0 && n < 20);
	while (n < width && n < 20)
		d[n++] = '0';
	while (n > 0 && b->p < b->end)
		*b->p++ = d[--n];
	*b->p = '\0';
}

static void
sb_cat(char *out, size_t n, const char *a, const char *b, const char *c)
{
	struct sb sb;

	sb_init(&sb, out, n);
	sb_str(&sb, a);
	sb_str(&sb, b);
	sb_str(&sb, c);
}

/* ---- tables (domain.md section 8) -------------------------------- */

/* Categories 1..7: certificate-holder variant. */
static const struct cw cat_w[] = {
	{ 1, 10 }, { 2, 10 }, { 3, 2 }, { 4, 45 }, { 5, 11 }, { 6, 11 },
	{ 7, 11 },
};

/* Per category: weights of grades 1..4 (overall about 12/18/28/42). */
static const int grade_w[7][4] = {
	{ 12, 16, 27, 45 }, { 6, 12, 30, 52 }, { 10, 18, 30, 42 },
	{ 11, 15, 25, 49 }, { 12, 26, 36, 26 }, { 8, 30, 40, 22 },
	{ 25, 22, 23, 30 },
};

/* Per category: weights of age bands 0-17, 18-59, 60+ (5/50/45). */
static const int band_w[7][3] = {
	{ 3, 38, 59 }, { 4, 36, 60 }, { 15, 70, 15 }, { 3, 47, 50 },
	{ 13, 72, 15 }, { 2, 75, 23 }, { 9, 40, 51 },
};

/* Components of 多重 (option codes of multi_disability_detail). */
static const struct cw comp_w[] = {
	{ 1, 18 }, { 2, 22 }, { 3, 14 }, { 4, 28 }, { 5, 12 }, { 6, 6 },
};

/* Cause of disability (codes 1..10) per category. */
static const int cause_w[7][10] = {
	{ 15, 60, 3, 3, 5, 1, 1, 0, 10, 2 },
	{ 20, 50, 2, 3, 3, 1, 2, 0, 17, 2 },
	{ 55, 25, 1, 0, 2, 0, 1, 0, 14, 2 },
	{ 10, 45, 12, 12, 12, 2, 1, 1, 3, 2 },
	{ 55, 20, 0, 0, 3, 0, 2, 0, 18, 2 },
	{ 5, 70, 0, 0, 0, 0, 0, 0, 22, 3 },
	{ 35, 40, 5, 4, 5, 0, 0, 0, 10, 1 },
};

/* Self-care 1..4 per grade. */
static const int selfcare_w[4][4] = {
	{ 5, 20, 40, 35 }, { 15, 45, 30, 10 }, { 50, 40, 8, 2 },
	{ 80, 17, 3, 1 },
};

/* Education 1..7 per age band (15-29, 30-44, 45-59, 60-74, 75+), per mille. */
static const int edu_w[5][7] = {
	{ 120, 250, 350, 180, 70, 27, 3 },
	{ 150, 330, 330, 120, 50, 18, 2 },
	{ 220, 400, 270, 80, 22, 7, 1 },
	{ 380, 400, 160, 45, 11, 4, 0 },
	{ 550, 320, 90, 30, 7, 3, 0 },
};

/* Marital status: 未婚, 已婚, 丧偶, 离婚 per age band (<30 .. 75+). */
static const int marry_w[5][4] = {
	{ 55, 42, 1, 2 }, { 26, 65, 2, 7 }, { 15, 69, 7, 9 },
	{ 8, 66, 20, 6 }, { 6, 44, 47, 3 },
};
static const int marry_code[4] = { 10, 20, 30, 40 };

/* Employment forms: 1 按比例 2 集中 3 个体 4 公益性岗位 5 辅助性 6 农村种养加
 * 7 灵活; rural and urban weights give the national shares overall. */
static const struct cw form_rural[] = {
	{ 6, 600 }, { 7, 240 }, { 1, 50 }, { 3, 60 }, { 2, 15 }, { 4, 20 },
	{ 5, 15 },
};
static const struct cw form_urban[] = {
	{ 7, 500 }, { 1, 250 }, { 3, 80 }, { 2, 60 }, { 4, 60 }, { 5, 20 },
	{ 6, 30 },
};

/* Ethnicity (GB/T 3304 codes: 01 汉 02 蒙古 03 回 04 藏 06 苗 07 彝 14 白
 * 15 土家 20 傈僳 27 纳西 33 羌) by county, then by prefecture; the first
 * profile listing the village's county (6 digits) or prefecture (4) wins.
 * Shares follow the 2020 census roughly: 凉山 彝 ~56% (昭觉 and the other
 * Yi counties ~85%, 西昌 and the south ~18%), 甘孜 藏 ~80%, 阿坝 藏 ~58%
 * and 羌 ~17% (茂县 mostly 羌), 汉 ~98% elsewhere. */
struct eth_profile {
	const int	*codes;		/* 0-terminated */
	const struct cw	*w;
	size_t		 n;
};

static const int in_yi_core[] = { 513428, 513429, 513430, 513431, 513432,
    513434, 513435, 513436, 513437, 0 };
static const struct cw eth_yi_core[] = {
	{ 7, 860 }, { 1, 130 }, { 4, 5 }, { 3, 5 },
};
static const int in_liangshan_south[] = { 513401, 513402, 513424, 513426,
    513427, 0 };
static const struct cw eth_liangshan_south[] = {
	{ 1, 780 }, { 7, 180 }, { 3, 10 }, { 20, 10 }, { 6, 10 }, { 4, 10 },
};
static const int in_mianning[] = { 513433, 0 };
static const struct cw eth_mianning[] = {
	{ 1, 600 }, { 7, 330 }, { 4, 60 }, { 3, 10 },
};
static const int in_yanyuan[] = { 513423, 0 };
static const struct cw eth_yanyuan[] = {
	{ 7, 480 }, { 1, 450 }, { 2, 30 }, { 4, 20 }, { 27, 20 },
};
static const int in_muli[] = { 513422, 0 };
static const struct cw eth_muli[] = {
	{ 4, 330 }, { 7, 300 }, { 1, 250 }, { 2, 60 }, { 6, 30 }, { 27, 30 },
};
static const int in_maoxian[] = { 513223, 0 };
static const struct cw eth_maoxian[] = {
	{ 33, 920 }, { 1, 60 }, { 4, 20 },
};
static const int in_qiang_mixed[] = { 513221, 513222, 510726, 0 };
static const struct cw eth_qiang_mixed[] = {
	{ 1, 420 }, { 33, 370 }, { 4, 190 }, { 3, 20 },
};
static const int in_aba_mixed[] = { 513224, 513225, 0 };
static const struct cw eth_aba_mixed[] = {
	{ 1, 470 }, { 4, 410 }, { 3, 80 }, { 33, 40 },
};
static const int in_luding[] = { 513322, 0 };
static const struct cw eth_luding[] = {
	{ 1, 850 }, { 4, 130 }, { 7, 20 },
};
static const int in_kangding[] = { 513301, 513324, 0 };
static const struct cw eth_kangding[] = {
	{ 4, 520 }, { 1, 380 }, { 7, 80 }, { 3, 20 },
};
static const int in_tibetan[] = { 5132, 5133, 0 };
static const struct cw eth_tibetan[] = {
	{ 4, 900 }, { 1, 75 }, { 33, 15 }, { 3, 10 },
};
static const int in_liangshan[] = { 5134, 0 };
static const struct cw eth_liangshan[] = {
	{ 7, 530 }, { 1, 440 }, { 4, 12 }, { 3, 5 }, { 2, 5 }, { 20, 4 },
	{ 27, 2 }, { 6, 2 },
};
static const int in_yi_mabian[] = { 511132, 511133, 0 };
static const struct cw eth_yi_mabian[] = {
	{ 1, 640 }, { 7, 350 }, { 6, 10 },
};
static const int in_panzhihua[] = { 5104, 0 };
static const struct cw eth_panzhihua[] = {
	{ 1, 880 }, { 7, 80 }, { 20, 20 }, { 6, 10 }, { 3, 5 }, { 14, 5 },
};
static const int in_yaan[] = { 5118, 0 };
static const struct cw eth_yaan[] = {
	{ 1, 960 }, { 7, 20 }, { 4, 20 },
};
static const int in_none[] = { 0 };
static const struct cw eth_default[] = {
	{ 1, 9850 }, { 3, 40 }, { 7, 30 }, { 4, 30 }, { 6, 20 }, { 15, 20 },
	{ 11, 5 }, { 2, 5 },
};

#define PROFILE(in, w)	{ in, w, NELEM(w) }
static const struct eth_profile eth_profiles[] = {
	PROFILE(in_yi_core, eth_yi_core),
	PROFILE(in_liangshan_south, eth_liangshan_south),
	PROFILE(in_mianning, eth_mianning),
	PROFILE(in_yanyuan, eth_yanyuan),
	PROFILE(in_muli, eth_muli),
	PROFILE(in_maoxian, eth_maoxian),
	PROFILE(in_qiang_mixed, eth_qiang_mixed),
	PROFILE(in_aba_mixed, eth_aba_mixed),
	PROFILE(in_luding, eth_luding),
	PROFILE(in_kangding, eth_kangding),
	PROFILE(in_tibetan, eth_tibetan),
	PROFILE(in_liangshan, eth_liangshan),
	PROFILE(in_yi_mabian, eth_yi_mabian),
	PROFILE(in_panzhihua, eth_panzhihua),
	PROFILE(in_yaan, eth_yaan),
	PROFILE(in_none, eth_default),	/* last: everywhere else */
};

/* Prefectures: rough centre and spread (micro-degrees), phone area code,
 * and a weight per village: the 2020 census population divided by the
 * number of villages (hundreds; 成都 damped to 70% for its lower share of
 * certificate holders), so that 甘孜's 2,253 small villages do not get as
 * many persons as 成都's 3,047 large ones. */
struct city {
	int		 code;
	int32_t		 lat, lon, dlat, dlon;
	const char	*area;
	int		 digits;	/* local number length */
	int		 per_village;
};

static const struct city cities[] = {
	{ 5101, 30660000, 104060000, 350000, 400000, "028", 8, 48 },
	{ 5103, 29340000, 104780000, 250000, 300000, "0813", 7, 25 },
	{ 5104, 26580000, 101720000, 300000, 300000, "0812", 7, 36 },
	{ 5105, 28870000, 105440000, 450000, 400000, "0830", 7, 29 },
	{ 5106, 31130000, 104400000, 300000, 300000, "0838", 7, 29 },
	{ 5107, 31470000, 104680000, 600000, 600000, "0816", 7, 24 },
	{ 5108, 32440000, 105840000, 450000, 550000, "0839", 7, 13 },
	{ 5109, 30530000, 105590000, 250000, 250000, "0825", 7, 19 },
	{ 5110, 29580000, 105060000, 250000, 250000, "0832", 7, 24 },
	{ 5111, 29550000, 103770000, 500000, 500000, "0833", 7, 23 },
	{ 5113, 30840000, 106110000, 450000, 400000, "0817", 7, 19 },
	{ 5114, 30080000, 103850000, 300000, 300000, "028", 8, 35 },
	{ 5115, 28770000, 104630000, 500000, 550000, "0831", 7, 22 },
	{ 5116, 30460000, 106630000, 300000, 300000, "0826", 7, 19 },
	{ 5117, 31210000, 107470000, 500000, 550000, "0818", 7, 24 },
	{ 5118, 29980000, 103010000, 600000, 450000, "0835", 7, 22 },
	{ 5119, 31870000, 106750000, 400000, 450000, "0827", 7, 15 },
	{ 5120, 30130000, 104630000, 250000, 300000, "028", 8, 19 },
	{ 5132, 32200000, 102400000, 1200000, 1300000, "0837", 7, 7 },
	{ 5133, 31000000, 100200000, 2300000, 1900000, "0836", 7, 5 },
	{ 5134, 27900000, 102300000, 1100000, 1100000, "0834", 7, 20 },
	{ 0, 30600000, 104000000, 1000000, 1000000, "028", 8, 20 },
};

/* Han surnames, roughly by frequency in Sichuan. */
static const struct sw surnames[] = {
	{ "李", 158 }, { "王", 130 }, { "张", 120 }, { "刘", 110 },
	{ "陈", 100 }, { "杨", 84 }, { "黄", 56 }, { "赵", 40 },
	{ "周", 44 }, { "吴", 36 }, { "徐", 28 }, { "孙", 16 },
	{ "胡", 34 }, { "朱", 24 }, { "高", 20 }, { "林", 16 },
	{ "何", 44 }, { "郭", 18 }, { "马", 18 }, { "罗", 40 },
	{ "梁", 16 }, { "宋", 14 }, { "郑", 14 }, { "谢", 20 },
	{ "韩", 8 }, { "唐", 24 }, { "冯", 14 }, { "于", 6 },
	{ "董", 10 }, { "萧", 4 }, { "程", 12 }, { "曹", 10 },
	{ "袁", 20 }, { "邓", 24 }, { "许", 12 }, { "傅", 8 },
	{ "沈", 8 }, { "曾", 22 }, { "彭", 18 }, { "吕", 8 },
	{ "苏", 10 }, { "卢", 10 }, { "蒋", 16 }, { "蔡", 10 },
	{ "贾", 6 }, { "丁", 8 }, { "魏", 10 }, { "薛", 4 },
	{ "叶", 10 }, { "阎", 2 }, { "余", 20 }, { "潘", 8 },
	{ "杜", 14 }, { "戴", 6 }, { "夏", 8 }, { "钟", 12 },
	{ "汪", 8 }, { "田", 12 }, { "任", 12 }, { "姜", 6 },
	{ "范", 10 }, { "方", 8 }, { "石", 8 }, { "姚", 8 },
	{ "谭", 12 }, { "廖", 14 }, { "邹", 10 }, { "熊", 12 },
	{ "金", 4 }, { "陆", 4 }, { "郝", 2 }, { "孔", 4 },
	{ "白", 6 }, { "崔", 2 }, { "康", 6 }, { "毛", 6 },
	{ "邱", 8 }, { "秦", 6 }, { "江", 8 }, { "史", 4 },
	{ "顾", 2 }, { "侯", 6 }, { "邵", 4 }, { "孟", 4 },
	{ "龙", 8 }, { "万", 6 }, { "段", 6 }, { "雷", 10 },
	{ "钱", 4 }, { "汤", 6 }, { "尹", 6 }, { "黎", 6 },
	{ "易", 6 }, { "常", 4 }, { "武", 4 }, { "乔", 2 },
	{ "贺", 6 }, { "赖", 6 }, { "龚", 8 }, { "文", 8 },
	{ "欧阳", 2 }, { "司马", 1 },
};

static const char *given_male[] = {
	"伟", "强", "军", "平", "勇", "杰", "涛", "明", "刚", "斌", "波",
	"辉", "华", "建", "国", "峰", "林", "龙", "云", "洪", "兵", "文",
	"俊", "鹏", "超", "浩", "宇", "磊", "鑫", "海", "成", "志", "忠",
	"福", "贵", "德", "荣", "祥", "清", "才", "川", "江", "山", "松",
	"元", "旭", "亮", "凯", "坤", "全", "友", "发",
};
static const char *given_female[] = {
	"芳", "秀", "英", "丽", "敏", "静", "燕", "娟", "霞", "玲", "红",
	"梅", "琴", "兰", "凤", "萍", "莉", "婷", "雪", "艳", "琳", "洁",
	"慧", "桂", "珍", "淑", "玉", "蓉", "春", "丹", "倩", "颖", "佳",
	"欣", "琼", "群", "菊", "莲", "翠", "素",
};
static const char *given_first[] = {
	"小", "建", "国", "志", "文", "永", "德", "明", "春", "晓", "海",
	"金", "光", "正", "子", "世", "家", "思", "天", "学", "大", "红",
	"玉", "秀", "成", "维",
};

static const char *yi_family[] = {
	"阿苏", "吉克", "沙马", "曲比", "俄木", "海来", "阿说", "马海",
	"吉伍", "勒格", "加拉", "阿尔", "吉尔", "木乃", "瓦扎", "日火",
	"阿约", "的日", "克其", "依火", "巴且", "阿西", "吉木", "俄地",
	"苏呷", "莫色", "阿牛", "吉色",
};
static const char *yi_male[] = {
	"拉且", "日哈", "木呷", "尔古", "伍沙", "铁哈", "尔布", "石者",
	"子日", "拉铁", "阿木", "史尔", "金古", "此尔", "伍各", "木沙",
	"拉哈", "尔日",
};
static const char *yi_female[] = {
	"阿呷", "阿依", "阿果", "阿衣", "布都", "伍呷", "尔作", "阿芝",
	"阿支", "么么", "尔呷", "拉莫", "木果", "日果", "阿妞",
};
static const char *bo_first[] = {
	"扎西", "次仁", "达瓦", "尼玛", "格桑", "洛桑", "索朗", "泽仁",
	"益西", "白玛", "四郎", "阿旺", "仁青", "巴桑", "斯朗", "贡布",
	"降央", "泽郎", "呷绒", "登珠",
};
static const char *bo_male[] = {
	"多吉", "平措", "顿珠", "次仁", "扎西", "丹增", "尼玛", "旺堆",
	"加措", "降措", "罗布", "群培",
};
static const char *bo_female[] = {
	"卓玛", "拉姆", "央金", "曲珍", "德吉", "措姆", "卓嘎", "拉措",
	"志玛", "曲措", "永珍", "白珍",
};

/* Lifted share (per mille) of registered-poor households still 未脱贫. */
static int
unlifted_permille(int year)
{
	/* 2014, 2015, ... 2020; none after 2020 */
	static const int t[] = { 950, 900, 800, 650, 500, 350, 40 };

	if (year < 2014)
		return 0;
	if (year - 2014 < (int)NELEM(t))
		return t[year - 2014];
	return 0;
}

/* ---- the generator ----------------------------------------------- */

enum style { ST_HAN, ST_YI, ST_BO };
enum group { G_NONE, G_REHAB, G_AID, G_EDU, G_EMP, G_ACCESS, G_CULT,
	G_COUNT };

struct village {
	const struct region	*reg;
	int32_t			 lat, lon;	/* micro-degrees */
	int			 county;	/* 6-digit code */
	short			 city;		/* index in cities[] */
	short			 prof;		/* index in eth_profiles[] */
	int			 urban;
	char			 place[64];	/* "XX村", "XX社区" */
};

/* Where gen_value() finds a value, and what it is. */
enum src { S_IDENT, S_YEAR };
enum kind {
	K_ENUM,		/* int, an option code */
	K_ENUM0,	/* int, 0 = no answer */
	K_BOOL,		/* int */
	K_NUM,		/* int: a date or a number */
	K_MULTI,	/* int64_t option mask */
	K_TEXT,		/* char[], cut to the item's length */
	K_STR,		/* char[] (ID, phone), "" = no answer */
	K_VILLAGE	/* const struct village * */
};

/* Conditions the need rules test (holds()). C_END ends a rule's cases
 * and, as a second condition, means "no second condition". */
enum cond {
	C_END, C_TRUE, C_CHILD, C_AGE_LE5, C_AGE_LE15, C_AGE_LT30,
	C_AGE_LT60, C_ELDER, C_OLD65, C_OLD70, C_OLD75, C_SEVERE, C_GRADE3,
	C_CAT1, C_CAT2, C_CAT3, C_CAT4, C_CAT5, C_CAT6, C_MULTI, C_MAIN56,
	C_SELF2, C_SELF34, C_DIBAO, C_REGPOOR, C_POOR, C_EDGE, C_LIVING,
	C_CARESUB, C_INST, C_RURAL, C_URBAN, C_EMPLOYED, C_STUDENT,
	C_OWN_FARM, C_FLEXIBLE, C_BAD_HOUSE, C_NO_HOUSE, C_RENTS, C_CARD2,
	C_ILL, C_SINGLE, C_DEPENDENT, C_ETHNIC_AREA, C_DISASTER_AREA
};

#define NWHEN	8

/* One case of a need rule: when a (and b) hold, "yes" has probability p,
 * or p is added to it (add). */
struct when {
	unsigned char	 a, b, add;
	double		 p;
};

struct gctx;
struct gen_def;

typedef int (*gen_fn)(struct gctx *, const struct gen_def *,
    const struct field *);

/* How one catalog item is made: by fn, which is gen_value() (a member of
 * the model at off), gen_rule() (yes/no from the cases) or its own. */
struct gen_def {
	const char	*code;
	gen_fn		 fn;
	int		 src, kind;
	size_t		 off;
	int		 group;		/* need group, for closers */
	int		 closer;	/* yes when nothing else in group is */
	struct when	 when[NWHEN];
};

struct synth {
	const struct catalog	*cat;
	const struct regions	*rs;
	uint64_t		 seed;
	int			 today, today_year;
	int			 first_year, ref;	/* ref = Jan 1 of it */
	double			 need_scale;	/* synth_set_need_scale() */
	int			 started;
	struct village		*v;
	uint64_t		*cum;		/* cumulative village weights */
	size_t			 nv;
	int			*counties;
	size_t			 ncounties;
	long			 surname_total;
	const struct gen_def	**gen;		/* per catalog field */
	int64_t			*valid;		/* per field: option codes */
	uint64_t		*tag;		/* per catalog field */
	uint64_t		*ids;		/* taken IDs, 0 = free slot */
	size_t			 idcap, nids;
	uint32_t		*tries;		/* per index, see id_resolve */
	size_t			 ntries;
};

struct ident {
	uint64_t		 index, pk;
	int			 sex, birth, age0;
	int			 cat, grade;
	int64_t			 multi;		/* component mask for 多重 */
	unsigned		 catmask;	/* bit c: category c applies */
	int			 eth, style, hukou, relation;
	int			 institution, edu, literate, cause;
	int			 contact_rel;
	const struct village	*v, *res;
	const char		*surname;	/* Han surname or NULL */
	const char		*hh_surname;
	char			 id[IDCARD_LEN + 1];
	char			 name[48];
	char			 hh_no[40];
	char			 hh_name[48];
	char			 hh_id[IDCARD_LEN + 1];
	char			 contact_name[48];
	char			 mobile[16], landline[16];
	char			 address[160];
};

struct gctx {
	struct synth		*sy;
	struct record		*r;
	const struct ident	*me;
	uint64_t		 pk, yk;
	int			 year, fill, age, severe;
	int			 method, lost, card, check, gps;
	int			 self_care, dibao, reg_poor, poverty;
	int			 urban_income, urban_housing, rural_housing;
	int			 school, employed, form;
	int64_t			 esi, assist;
	int			 pension, pension_sub, medical, medical_sub;
	int			 living_sub, care_sub, doctor, ill;
	int			 yes[G_COUNT];
};

/* Draw tags. Identity draws use the person key, yearly ones the year key. */
enum {
	T_SEX = 1, T_CAT, T_GRADE, T_BAND, T_AGE, T_DAY, T_COMP, T_VILLAGE,
	T_RESIDE, T_RESOFF, T_HUKOU, T_ETH, T_ETHOWN, T_NAME, T_REL,
	T_ELSEWHERE, T_SEQ, T_HOLDER, T_CONTACT, T_CNAME, T_PHONE, T_INST,
	T_EDU, T_LIT, T_CAUSE, T_ADDR, T_JOIN, T_MARRY, T_MARRY2, T_REGPOOR,
	T_POVST, T_MONITOR, T_FILL, T_METHOD, T_LOST, T_CARD, T_CHECK,
	T_GPS, T_SELF, T_SELF2, T_DIBAO, T_UINC, T_UHOUSE, T_RHOUSE,
	T_SCHOOL, T_SPECIAL, T_LEVEL, T_EMP, T_FORM, T_ESI, T_PENS, T_PSUB,
	T_MED, T_MSUB, T_LIVE, T_CSUB, T_DOC, T_ILL, T_SA, T_CLOCK
};

/* Further draws of one tag. */
#define SUB(t, k)	((uint64_t)(t) + ((uint64_t)(k) << 8))

static int
year_of(int days)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	return y;
}

static int
ymd(int y, int m, int d)
{
	int days = 0;

	date_from_ymd(y, m, d, &days);
	return days;
}

/* A yearly draw that keeps the person's draw with probability stick. */
static double
stick_u(const struct gctx *g, uint64_t tag, double stick)
{
	uint64_t h = hkey(g->yk, tag);

	if ((double)(h & 0xFFFFFFFF) < stick * 4294967296.0)
		return hu(g->pk, tag);
	return (double)(h >> 32) * (1.0 / 4294967296.0);
}

static int
has_cat(const struct ident *p, int c)
{
	return (p->catmask >> c) & 1;
}

static double
clamp01(double p)
{
	return p < 0 ? 0 : p > 1 ? 1 : p;
}

/* ---- names, phones, places --------------------------------------- */

static const char *
pick_str(uint64_t *s, const char **t, size_t n)
{
	return t[sm_below(s, (uint32_t)n)];
}

static void
name_han(uint64_t *s, int sex, const char *surname, char *out, size_t n)
{
	const char **g = sex == IDCARD_MALE ? given_male : given_female;
	size_t gn = sex == IDCARD_MALE ? NELEM(given_male) :
	    NELEM(given_female);
	const char *a;

	if (sm_unit(s) < 0.22) {
		sb_cat(out, n, surname, pick_str(s, g, gn), "");
		return;
	}
	a = sm_unit(s) < 0.45 ? pick_str(s, given_first, NELEM(given_first)) :
	    pick_str(s, g, gn);
	sb_cat(out, n, surname, a, pick_str(s, g, gn));
}

static void
name_yi(uint64_t *s, int sex, char *out, size_t n)
{
	const char *fam = pick_str(s, yi_family, NELEM(yi_family));

	if (sex == IDCARD_MALE)
		sb_cat(out, n, fam, pick_str(s, yi_male, NELEM(yi_male)), "");
	else
		sb_cat(out, n, fam, pick_str(s, yi_female, NELEM(yi_female)),
		    "");
}

static void
name_bo(uint64_t *s, int sex, char *out, size_t n)
{
	const char *a = pick_str(s, bo_first, NELEM(bo_first));
	const char *b;

	if (sex == IDCARD_MALE)
		b = pick_str(s, bo_male, NELEM(bo_male));
	else
		b = pick_str(s, bo_female, NELEM(bo_female));
	if (strcmp(a, b) == 0)
		b = sex == IDCARD_MALE ? "多吉" : "卓玛";
	sb_cat(out, n, a, b, "");
}

/* A name in style st; surname (Han only) may be NULL. Returns the Han
 * surname used, or NULL for the other styles. */
static const char *
make_name(const struct synth *sy, uint64_t key, int st, int sex,
    const char *surname, char *out, size_t n)
{
	uint64_t s = key;

	if (st == ST_YI) {
		name_yi(&s, sex, out, n);
		return NULL;
	}
	if (st == ST_BO) {
		name_bo(&s, sex, out, n);
		return NULL;
	}
	if (surname == NULL)
		surname = pick_sw(surnames, NELEM(surnames), sy->surname_total,
		    sm_unit(&s));
	name_han(&s, sex, surname, out, n);
	return surname;
}

static void
make_mobile(uint64_t key, char out[16])
{
	static const struct cw second[] = {
		{ 3, 30 }, { 5, 25 }, { 8, 30 }, { 7, 6 }, { 9, 7 }, { 6, 1 },
		{ 4, 1 },
	};
	uint64_t s = key;
	int d = pick_cw(second, NELEM(second), sm_unit(&s));
	struct sb b;

	sb_init(&b, out, 16);
	sb_num(&b, 10 + (uint64_t)d, 2);
	sb_num(&b, sm_below(&s, 1000000000u), 9);
}

static void
make_landline(uint64_t key, const struct city *c, char out[16])
{
	uint64_t s = key;
	uint32_t rest = c->digits == 8 ? 10000000u : 1000000u;
	struct sb b;

	sb_init(&b, out, 16);
	sb_str(&b, c->area);
	sb_str(&b, "-");
	sb_num(&b, 2 + sm_below(&s, 7), 1);
	sb_num(&b, sm_below(&s, rest), c->digits - 1);
}

static int
ends_with(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* "XX村村民委员会" -> "XX村", "XX社区居民委员会" -> "XX社区". */
static void
place_name(const char *name, struct village *v)
{
	static const struct {
		const char	*suf, *kind;
		int		 urban;
	} sufs[] = {
		{ "村民委员会", "村", 0 }, { "村委会", "村", 0 },
		{ "居民委员会", "社区", 1 }, { "居委会", "社区", 1 },
	};
	size_t n = strlen(name), base = n, i;
	const char *kind = "";

	v->urban = strstr(name, "社区") != NULL;
	for (i = 0; i < NELEM(sufs); i++)
		if (ends_with(name, n, sufs[i].suf) &&
		    n > strlen(sufs[i].suf)) {
			base = n - strlen(sufs[i].suf);
			kind = sufs[i].kind;
			v->urban = sufs[i].urban;
			break;
		}
	if (ends_with(name, base, "村") || ends_with(name, base, "社区"))
		kind = "";
	base = utf8_cut(name, base, sizeof(v->place) - 1 - strlen(kind));
	memcpy(v->place, name, base);
	snprintf(v->place + base, sizeof(v->place) - base, "%s", kind);
}

/* ---- synth_new --------------------------------------------------- */

static int
city_index(int64_t code12)
{
	int c = (int)(code12 / 100000000);
	size_t i;

	for (i = 0; i + 1 < NELEM(cities); i++)
		if (cities[i].code == c)
			return (int)i;
	return (int)NELEM(cities) - 1;
}

static int
profile_index(int64_t code12)
{
	const int *c;
	size_t i;

	for (i = 0; i + 1 < NELEM(eth_profiles); i++)
		for (c = eth_profiles[i].codes; *c != 0; c++)
			if (code12 / (*c < 10000 ? 100000000 : 1000000) == *c)
				return (int)i;
	return (int)NELEM(eth_profiles) - 1;
}

static int32_t
clamp32(int32_t v, int32_t lo, int32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Fills v from region r; returns the village's weight. */
static uint64_t
village_init(struct village *v, const struct region *r)
{
	const struct city *c;
	uint64_t hc, hv = hkey((uint64_t)r->code12, 1);

	v->reg = r;
	v->county = (int)(r->code12 / 1000000);
	v->city = (short)city_index(r->code12);
	v->prof = (short)profile_index(r->code12);
	place_name(r->name, v);
	c = &cities[v->city];
	hc = hkey((uint64_t)v->county, 2);
	v->lat = clamp32(c->lat + (int32_t)((unit(hc) * 2 - 1) * c->dlat) +
	    (int32_t)((hu(hv, 3) * 2 - 1) * 60000), 26000000, 34000000);
	v->lon = clamp32(c->lon + (int32_t)((hu(hc, 4) * 2 - 1) * c->dlon) +
	    (int32_t)((hu(hv, 5) * 2 - 1) * 60000), 97000000, 108000000);
	return (uint64_t)c->per_village *
	    ((v->urban ? 70 : 40) + hkey(hv, 6) % 120);
}

static int
in_scope(const struct region *scope, const struct region *r)
{
	return r->level == RL_VILLAGE &&
	    (scope == NULL || region_contains(scope, r->code12));
}

static int
villages_build(struct synth *sy, const struct region *scope,
    struct lf_error *err)
{
	const struct regions *rs = sy->rs;
	size_t i, nv = 0, nc = 0;
	uint64_t total = 0;

	for (i = 0; i < rs->n; i++) {
		nv += in_scope(scope, &rs->v[i]);
		nc += rs->v[i].level == RL_COUNTY;
	}
	if (nv == 0)
		return lf_error_set(err, "no_villages", "", "所选区域内没有村/"
		    "社区 (no village or community inside the region)");
	sy->v = mem_calloc(nv, sizeof(*sy->v));
	sy->cum = mem_calloc(nv, sizeof(*sy->cum));
	sy->counties = mem_calloc(nc, sizeof(*sy->counties));
	if (sy->v == NULL || sy->cum == NULL || sy->counties == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < rs->n; i++) {
		if (in_scope(scope, &rs->v[i])) {
			total += village_init(&sy->v[sy->nv], &rs->v[i]);
			sy->cum[sy->nv++] = total;
		}
		if (rs->v[i].level == RL_COUNTY)
			sy->counties[sy->ncounties++] =
			    (int)(rs->v[i].code12 / 1000000);
	}
	return 0;
}

static const struct gen_def *find_gen(const char *code);

static uint64_t
code_tag(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
	return h | 1ULL << 40;
}

static int
fields_map(struct synth *sy, struct lf_error *err)
{
	size_t i, j, n = sy->cat->nfields;

	sy->gen = mem_calloc(n, sizeof(*sy->gen));
	sy->tag = mem_calloc(n, sizeof(*sy->tag));
	sy->valid = mem_calloc(n, sizeof(*sy->valid));
	if (sy->gen == NULL || sy->tag == NULL || sy->valid == NULL)
		return lf_error_nomem(err);
	for (i = 0; i < n; i++) {
		const struct field *f = &sy->cat->fields[i];

		sy->gen[i] = find_gen(f->code);
		sy->tag[i] = code_tag(f->code);
		for (j = 0; j < f->noptions; j++)
			if (f->options[j].code >= 0 && f->options[j].code < 63)
				sy->valid[i] |= (int64_t)1 <<
				    f->options[j].code;
	}
	return 0;
}

int
synth_new(const struct catalog *cat, const struct regions *rs,
    const struct region *scope, uint64_t seed, int today_days,
    struct synth **out, struct lf_error *err)
{
	struct synth *sy = NULL;
	int rc = -1, ty;

	if (cat == NULL || rs == NULL || out == NULL)
		return lf_error_set(err, "bad_argument", "", "缺少目录或区划表 "
		    "(catalog and region table are required)");
	ty = year_of(today_days);
	if (ty < 1900 || ty > DATE_YEAR_MAX)
		return lf_error_set(err, "bad_argument", "", "今天的日期不在 "
		    "1900-2999 年内 (today is outside 1900-2999)");
	if ((sy = mem_calloc(1, sizeof(*sy))) == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	sy->cat = cat;
	sy->rs = rs;
	sy->seed = seed;
	sy->today = today_days;
	sy->today_year = ty;
	sy->first_year = ty - DEFAULT_SPAN;
	sy->need_scale = 1.0;
	sy->surname_total = sw_total(surnames, NELEM(surnames));
	sy->ref = ymd(sy->first_year, 1, 1);
	sy->idcap = 1 << 10;
	sy->ids = mem_calloc(sy->idcap, sizeof(*sy->ids));
	if (sy->ids == NULL) {
		lf_error_nomem(err);
		goto out;
	}
	if (villages_build(sy, scope, err) != 0 || fields_map(sy, err) != 0)
		goto out;
	*out = sy;
	sy = NULL;
	rc = 0;
out:
	synth_free(sy);
	return rc;
}

int
synth_set_first_year(struct synth *sy, int year, struct lf_error *err)
{
	if (sy->started)
		return lf_error_set(err, "bad_year", "", "已开始生成, 不能再改"
		    "首年 (persons already made; set the first year before)");
	if (year < 1950 || year > sy->today_year)
		return lf_error_set(err, "bad_year", "", "首年应在 1950 到今年"
		    "之间 (first year must lie in 1950..this year)");
	sy->first_year = year;
	sy->ref = ymd(year, 1, 1);
	return 0;
}

int
synth_set_need_scale(struct synth *sy, double k, struct lf_error *err)
{
	if (sy->started)
		return lf_error_set(err, "bad_argument", "", "已开始生成, 不能"
		    "再改需求倍数 (persons already made; set the need scale "
		    "before)");
	if (!(k >= 1.0 && k <= 10.0))
		return lf_error_set(err, "bad_argument", "", "需求倍数应在 1 "
		    "到 10 之间 (need scale must lie in 1..10)");
	sy->need_scale = k;
	return 0;
}

void
synth_free(struct synth *sy)
{
	if (sy == NULL)
		return;
	mem_free(sy->v);
	mem_free(sy->cum);
	mem_free(sy->counties);
	mem_free(sy->gen);
	mem_free(sy->tag);
	mem_free(sy->valid);
	mem_free(sy->ids);
	mem_free(sy->tries);
	mem_free(sy);
}

/* ---- unique ID numbers ------------------------------------------- */

static uint64_t
id_key(int county, int birth, int seq)
{
	return (uint64_t)county << 32 | (uint64_t)(birth + 400000) << 10 |
	    (uint64_t)seq;
}

static int
ids_grow(struct synth *sy)
{
	size_t cap = sy->idcap * 2, i, h;
	uint64_t *t = mem_calloc(cap, sizeof(*t));

	if (t == NULL)
		return -1;
	for (i = 0; i < sy->idcap; i++) {
		if (sy->ids[i] == 0)
			continue;
		h = hkey(sy->ids[i], 7) & (cap - 1);
		while (t[h] != 0)
			h = (h + 1) & (cap - 1);
		t[h] = sy->ids[i];
	}
	mem_free(sy->ids);
	sy->ids = t;
	sy->idcap = cap;
	return 0;
}

/* Adds key: 1 when added, 0 when already taken, -1 out of memory. The
 * table (linear probing) stays at most 3/4 full. */
static int
ids_add(struct synth *sy, uint64_t key)
{
	size_t h;

	if ((sy->nids + 1) * 4 > sy->idcap * 3 && ids_grow(sy) != 0)
		return -1;
	h = hkey(key, 7) & (sy->idcap - 1);
	while (sy->ids[h] != 0) {
		if (sy->ids[h] == key)
			return 0;
		h = (h + 1) & (sy->idcap - 1);
	}
	sy->ids[h] = key;
	sy->nids++;
	return 1;
}

static int
tries_reserve(struct synth *sy, uint64_t index)
{
	size_t cap = sy->ntries ? sy->ntries : 1024;
	uint32_t *t;

	if (index < sy->ntries)
		return 0;
	while (cap <= index)
		cap *= 2;
	if ((t = mem_realloc(sy->tries, cap * sizeof(*t))) == NULL)
		return -1;
	memset(t + sy->ntries, 0, (cap - sy->ntries) * sizeof(*t));
	sy->tries = t;
	sy->ntries = cap;
	return 0;
}

struct id_req {
	uint64_t	 index;
	int		 holder;	/* 0 the person, 1 the householder */
	int		 county, birth, sex;
	uint32_t	 kbase;
};

/* Attempt a of a request: the sequence cycles through its range, then the
 * birth date moves one day earlier. */
static void
id_attempt(const struct id_req *q, uint32_t a, int *birth, int *seq)
{
	uint32_t period = q->holder ? HOLDER_SEQS : PERSON_SEQS;
	uint32_t k = (q->kbase + a) % period;

	*birth = q->birth - (int)(a / period);
	*seq = (q->holder ? 900 : 0) + 2 * (int)k + (q->sex == IDCARD_MALE);
}

/* Finds the request's ID: the cached number of attempts when this index
 * was resolved before, else the first attempt not taken. The low 16 bits
 * of tries[] hold the person's attempts + 1, the high 16 the
 * householder's. */
static int
id_resolve(struct synth *sy, const struct id_req *q, char id[19],
    int *birth, struct lf_error *err)
{
	int shift = q->holder ? 16 : 0, seq = 0, rc = 0;
	char region6[8];
	uint32_t t, a;
	struct sb b;

	if (tries_reserve(sy, q->index) != 0)
		return lf_error_nomem(err);
	t = (sy->tries[q->index] >> shift) & 0xFFFF;
	for (a = t ? t - 1 : 0; a < MAX_TRIES; a++) {
		id_attempt(q, a, birth, &seq);
		if (t != 0)
			break;
		if ((rc = ids_add(sy, id_key(q->county, *birth, seq))) < 0)
			return lf_error_nomem(err);
		if (rc == 1) {
			sy->tries[q->index] |= (a + 1) << shift;
			break;
		}
	}
	if (a >= MAX_TRIES)
		return lf_error_set(err, "id_exhausted", "id_number", "身份证号"
		    "已用尽 (no free ID number near this birth date)");
	sb_init(&b, region6, sizeof(region6));
	sb_num(&b, (uint64_t)(q->county % 1000000), 6);
	if (idcard_make(region6, *birth, seq, id) != 0)
		return lf_error_set(err, "bad_year", "id_number", "出生日期超出"
		    "范围 (birth date out of range)");
	return 0;
}

/* ---- identity ---------------------------------------------------- */

static int
age_in_band(int band, double x)
{
	static const struct cw young[] = {
		{ 0, 1 }, { 1, 2 }, { 2, 3 }, { 3, 4 }, { 4, 5 }, { 5, 5 },
		{ 6, 6 }, { 7, 6 }, { 8, 6 }, { 9, 6 }, { 10, 6 }, { 11, 6 },
		{ 12, 6 }, { 13, 6 }, { 14, 6 }, { 15, 6 }, { 16, 6 },
		{ 17, 6 },
	};
	struct cw w[42];
	int i;

	if (band == 0)
		return pick_cw(young, NELEM(young), x);
	if (band == 1) {
		for (i = 0; i < 42; i++)
			w[i] = (struct cw){ 18 + i, 10 + i };
		return pick_cw(w, 42, x);
	}
	for (i = 0; i < 41; i++)
		w[i] = (struct cw){ 60 + i, i < 10 ? 40 : i < 20 ? 28 :
		    i < 30 ? 12 : 2 };
	return pick_cw(w, 41, x);
}

static const struct village *
pick_village(const struct synth *sy, double x)
{
	uint64_t t = (uint64_t)(x * (double)sy->cum[sy->nv - 1]);
	size_t lo = 0, hi = sy->nv - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sy->cum[mid] > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &sy->v[lo];
}

static int
pick_eth(const struct village *v, double x)
{
	const struct eth_profile *p = &eth_profiles[v->prof];

	return pick_cw(p->w, p->n, x);
}

static int
style_of(uint64_t pk, int eth)
{
	if (eth == 7 && hu(pk, SUB(T_NAME, 100)) < 0.75)
		return ST_YI;
	if (eth == 4 && hu(pk, SUB(T_NAME, 100)) < 0.85)
		return ST_BO;
	return ST_HAN;
}

static void
ident_disability(struct ident *p)
{
	uint64_t s = hkey(p->pk, T_COMP);
	int i, n, c;

	p->sex = hu(p->pk, T_SEX) < 0.516 ? IDCARD_MALE : IDCARD_FEMALE;
	p->cat = pick_cw(cat_w, NELEM(cat_w), hu(p->pk, T_CAT));
	{
		struct cw w[4];

		for (i = 0; i < 4; i++)
			w[i] = (struct cw){ i + 1, grade_w[p->cat - 1][i] };
		p->grade = pick_cw(w, 4, hu(p->pk, T_GRADE));
	}
	p->catmask = 1u << p->cat;
	p->multi = 0;
	if (p->cat != 7)
		return;
	n = sm_unit(&s) < 0.8 ? 2 : sm_unit(&s) < 0.85 ? 3 : 4;
	while (n > 0) {
		c = pick_cw(comp_w, NELEM(comp_w), sm_unit(&s));
		if (p->multi & (int64_t)1 << c)
			continue;
		p->multi |= (int64_t)1 << c;
		p->catmask |= 1u << c;
		n--;
	}
}

static int
ident_age(const struct ident *p)
{
	struct cw w[3];
	int i, band;

	for (i = 0; i < 3; i++)
		w[i] = (struct cw){ i, band_w[p->cat - 1][i] };
	band = pick_cw(w, 3, hu(p->pk, T_BAND));
	return age_in_band(band, hu(p->pk, T_AGE));
}

/* Usually the hukou village; for 人户分离 a nearby one (the table lists
 * villages by township and county, so a small offset stays close). */
static const struct village *
residence(const struct synth *sy, const struct ident *p)
{
	long i = (long)(p->v - sy->v), off;

	if (hu(p->pk, T_RESIDE) >= 0.07 || sy->nv < 2)
		return p->v;
	off = (long)hbelow(p->pk, T_RESOFF, 60) - 30;
	if (off == 0)
		off = 1;
	if (i + off < 0 || i + off >= (long)sy->nv)
		off = -off;
	if (i + off < 0 || i + off >= (long)sy->nv)
		return p->v;
	return &sy->v[i + off];
}

/* Village, hukou type and ethnicity; a joiner shares the founder's home. */
static void
ident_place(const struct synth *sy, struct ident *p, const struct ident *f)
{
	if (f != NULL) {
		p->v = f->v;
		p->res = f->res;
		p->hukou = f->hukou;
		p->eth = hu(p->pk, T_ETHOWN) < 0.95 ? f->eth :
		    pick_eth(p->v, hu(p->pk, T_ETH));
	} else {
		p->v = pick_village(sy, hu(p->pk, T_VILLAGE));
		p->res = residence(sy, p);
		p->hukou = hu(p->pk, T_HUKOU) < (p->v->urban ? 0.33 : 0.93) ?
		    1 : 2;
		p->eth = pick_eth(p->v, hu(p->pk, T_ETH));
	}
	p->style = style_of(p->pk, p->eth);
}

/* Relation of a household founder to the householder. */
static int
founder_relation(const struct ident *p)
{
	int child = p->sex == IDCARD_MALE ? 2 : 3;
	double x = hu(p->pk, T_REL);
	int k = p->cat == 5 ? 3 : 1;

	if (p->age0 < 18)
		return x < 0.75 ? child : 4;
	if (p->age0 < 30) {
		const struct cw w[] = { { 0, 25 }, { child, 65 * k },
		    { 7, 5 }, { 8, 5 } };

		return pick_cw(w, NELEM(w), x);
	}
	if (p->age0 < 60) {
		const struct cw w[] = { { 0, 62 }, { 1, 20 }, { child, 12 * k },
		    { 7, 4 }, { 8, 2 } };

		return pick_cw(w, NELEM(w), x);
	}
	{
		const struct cw w[] = { { 0, 58 }, { 1, 20 }, { 5, 19 },
		    { 8, 3 } };

		return pick_cw(w, NELEM(w), x);
	}
}

/* Relation of a joiner to the householder of founder f's household. */
static int
joiner_relation(const struct ident *p, const struct ident *f)
{
	int child = p->sex == IDCARD_MALE ? 2 : 3, d = p->age0 - f->age0;
	double x = hu(p->pk, T_REL);

	if (f->relation != 0) {
		const struct cw w[] = { { 1, f->relation == 1 ? 0 : 25 },
		    { child, 30 }, { 5, 15 }, { 7, 20 }, { 8, 10 } };

		if (p->age0 < 18)
			return f->relation == 2 || f->relation == 3 ? 4 : child;
		return pick_cw(w, NELEM(w), x);
	}
	if (p->age0 < 18)
		return f->age0 >= 50 && x < 0.5 ? 4 : child;
	if (d > 18)
		return 5;
	if (d < -40)
		return 4;
	if (d < -18)
		return child;
	if (p->sex != f->sex && x < 0.6)
		return 1;
	return x < 0.9 ? 7 : 8;
}

/* Age of the householder from the founder's age and relation. */
static int
holder_age(const struct ident *p, uint64_t *s)
{
	int a = p->age0;

	switch (p->relation) {
	case 1:
		a += (int)sm_below(s, 11) - 5;
		break;
	case 2:
	case 3:
		a += 24 + (int)sm_below(s, 13);
		break;
	case 4:
		a += 48 + (int)sm_below(s, 15);
		break;
	case 5:
		a -= 24 + (int)sm_below(s, 13);
		break;
	case 7:
		a += (int)sm_below(s, 17) - 8;
		break;
	default:
		a = 30 + (int)sm_below(s, 41);
		break;
	}
	return a < 18 ? 18 : a > 95 ? 95 : a;
}

static int
holder_sex(const struct ident *p, uint64_t *s)
{
	if (p->relation == 1)
		return p->sex == IDCARD_MALE ? IDCARD_FEMALE : IDCARD_MALE;
	return sm_unit(s) < 0.72 ? IDCARD_MALE : IDCARD_FEMALE;
}

/* A householder who is not in the population, for a founder. */
static int
ident_holder(struct synth *sy, struct ident *p, struct lf_error *err)
{
	uint64_t s = hkey(p->pk, T_HOLDER);
	struct id_req q;
	const char *sur = NULL;
	int age, sex, birth;

	sex = holder_sex(p, &s);
	age = holder_age(p, &s);
	if (p->surname != NULL && p->relation != 1 && p->relation != 8 &&
	    (sex == IDCARD_MALE || p->relation == 7))
		sur = p->surname;
	p->hh_surname = make_name(sy, sm_next(&s), p->style, sex, sur,
	    p->hh_name, sizeof(p->hh_name));
	q.index = p->index;
	q.holder = 1;
	q.county = p->v->county;
	q.sex = sex;
	q.birth = ymd(year_of(sy->ref) - 1 - age, 1, 1) +
	    (int)sm_below(&s, 365);
	q.kbase = sm_below(&s, HOLDER_SEQS);
	return id_resolve(sy, &q, p->hh_id, &birth, err);
}

static int
ident_id(struct synth *sy, struct ident *p, int age, struct lf_error *err)
{
	struct id_req q;

	q.index = p->index;
	q.holder = 0;
	q.county = p->v->county;
	if (hu(p->pk, T_ELSEWHERE) < 0.06 && sy->ncounties > 0)
		q.county = sy->counties[hbelow(p->pk, SUB(T_ELSEWHERE, 1),
		    (uint32_t)sy->ncounties)];
	q.sex = p->sex;
	q.birth = ymd(sy->first_year - 1 - age, 1, 1) +
	    (int)hbelow(p->pk, T_DAY, 365);
	q.kbase = hbelow(p->pk, T_SEQ, PERSON_SEQS);
	if (id_resolve(sy, &q, p->id, &p->birth, err) != 0)
		return -1;
	p->age0 = date_age(p->birth, sy->ref);
	return 0;
}

static void
contact_of(struct ident *p)
{
	static const struct cw kid[] = { { 5, 85 }, { 6, 15 } };
	static const struct cw guard_young[] = { { 5, 55 }, { 7, 20 },
	    { 1, 15 }, { 8, 10 } };
	static const struct cw guard_old[] = { { 1, 35 }, { 2, 25 },
	    { 3, 20 }, { 7, 15 }, { 8, 5 } };
	static const struct cw elder[] = { { 0, 25 }, { 1, 15 }, { 2, 33 },
	    { 3, 22 }, { 4, 3 }, { 8, 2 } };
	static const struct cw adult[] = { { 0, 65 }, { 1, 16 }, { 2, 6 },
	    { 3, 5 }, { 5, 4 }, { 7, 3 }, { 8, 1 } };
	double x = hu(p->pk, T_CONTACT);

	if (p->age0 < 18)
		p->contact_rel = pick_cw(kid, NELEM(kid), x);
	else if ((p->cat == 5 || p->cat == 6) && p->age0 < 50)
		p->contact_rel = pick_cw(guard_young, NELEM(guard_young), x);
	else if (p->cat == 5 || p->cat == 6)
		p->contact_rel = pick_cw(guard_old, NELEM(guard_old), x);
	else if (p->age0 >= 70)
		p->contact_rel = pick_cw(elder, NELEM(elder), x);
	else
		p->contact_rel = pick_cw(adult, NELEM(adult), x);
}

static void
ident_contact(const struct synth *sy, struct ident *p)
{
	uint64_t s = hkey(p->pk, T_CNAME);
	int rel, sex;
	const char *sur = NULL;

	contact_of(p);
	rel = p->contact_rel;
	if (rel == 0) {
		memcpy(p->contact_name, p->name, sizeof(p->name));
	} else {
		sex = rel == 1 ? (p->sex == IDCARD_MALE ? IDCARD_FEMALE :
		    IDCARD_MALE) : rel == 2 ? IDCARD_MALE : rel == 3 ?
		    IDCARD_FEMALE : sm_unit(&s) < 0.6 ? IDCARD_MALE :
		    IDCARD_FEMALE;
		if (rel != 1 && rel != 8 && (sex == IDCARD_MALE ||
		    rel == 7) && p->sex == IDCARD_MALE)
			sur = p->surname;
		make_name(sy, sm_next(&s), p->style, sex, sur,
		    p->contact_name, sizeof(p->contact_name));
	}
	p->mobile[0] = p->landline[0] = '\0';
	if (hu(p->pk, T_PHONE) < (p->age0 >= 75 && rel == 0 ? 0.75 : 0.9))
		make_mobile(hkey(p->pk, SUB(T_PHONE, 1)), p->mobile);
	if (p->mobile[0] == '\0' || hu(p->pk, SUB(T_PHONE, 2)) < 0.12)
		make_landline(hkey(p->pk, SUB(T_PHONE, 3)), &cities[p->v->city],
		    p->landline);
}

static void
ident_education(struct ident *p)
{
	struct cw w[7];
	int a = p->age0 < 15 ? 15 : p->age0, band, i;

	band = a < 30 ? 0 : a < 45 ? 1 : a < 60 ? 2 : a < 75 ? 3 : 4;
	for (i = 0; i < 7; i++)
		w[i] = (struct cw){ i + 1, edu_w[band][i] };
	p->edu = pick_cw(w, 7, hu(p->pk, T_EDU));
	if (p->cat == 5 && p->grade <= 2)
		p->edu = hu(p->pk, SUB(T_EDU, 1)) < 0.8 ? 1 : 2;
	else if (p->cat == 5 && p->edu > 3)
		p->edu = 3;
	if (p->edu >= 3)
		p->literate = 1;
	else if (p->cat == 5 && p->grade <= 2)
		p->literate = 0;
	else
		p->literate = hu(p->pk, T_LIT) < (p->edu == 1 ? 0.1 : 0.72);
}

static void
ident_misc(struct ident *p)
{
	struct cw w[10];
	double inst = 0.012;
	int i;

	for (i = 0; i < 10; i++)
		w[i] = (struct cw){ i + 1, cause_w[p->cat - 1][i] *
		    (i == 0 && p->age0 < 18 ? 3 : 1) };
	p->cause = hu(p->pk, SUB(T_CAUSE, 1)) < 0.92 ?
	    pick_cw(w, 10, hu(p->pk, T_CAUSE)) : 0;
	if (p->grade <= 2)
		inst *= 2.5;
	if (p->age0 >= 70)
		inst *= 1.5;
	if (p->cat == 5)
		inst *= 1.5;
	p->institution = p->age0 >= 16 && hu(p->pk, T_INST) < inst;
	ident_education(p);
}

static void
ident_address(struct ident *p)
{
	uint64_t s = hkey(p->pk, T_ADDR);
	const struct village *v = p->res;
	struct sb b;

	sb_init(&b, p->address, sizeof(p->address));
	sb_str(&b, v->place);
	if (v->urban) {
		sb_num(&b, 1 + sm_below(&s, 30), 1);
		sb_str(&b, "栋");
		sb_num(&b, 1 + sm_below(&s, 4), 1);
		sb_str(&b, "单元");
		sb_num(&b, 1 + sm_below(&s, 18), 1);
		sb_num(&b, 1 + sm_below(&s, 4), 2);
	} else {
		sb_num(&b, 1 + sm_below(&s, 12), 1);
		sb_str(&b, "组");
		sb_num(&b, 1 + sm_below(&s, 120), 1);
	}
	sb_str(&b, "号");
}

static uint64_t
person_key(const struct synth *sy, uint64_t index)
{
	return hkey(sy->seed, index);
}

static int
is_joiner(const struct synth *sy, uint64_t index)
{
	if (index == 0)
		return 0;
	return hu(person_key(sy, index), T_JOIN) < JOIN_P &&
	    !(hu(person_key(sy, index - 1), T_JOIN) < JOIN_P);
}

/* The household part: householder, household number. */
static int
ident_household(struct synth *sy, struct ident *p, const struct ident *f,
    struct lf_error *err)
{
	const struct ident *h = f != NULL ? f : p;
	struct sb b;

	sb_init(&b, p->hh_no, sizeof(p->hh_no));
	sb_str(&b, h->v->reg->code);
	sb_num(&b, h->index, 7);
	if (f != NULL) {
		p->relation = joiner_relation(p, f);
		memcpy(p->hh_name, f->hh_name, sizeof(p->hh_name));
		memcpy(p->hh_id, f->hh_id, sizeof(p->hh_id));
		p->hh_surname = f->hh_surname;
		return 0;
	}
	p->relation = founder_relation(p);
	if (p->relation != 0)
		return ident_holder(sy, p, err);
	memcpy(p->hh_name, p->name, sizeof(p->hh_name));
	memcpy(p->hh_id, p->id, sizeof(p->hh_id));
	p->hh_surname = p->surname;
	return 0;
}

/* Person #index; f is the founder of the household the person joins, or
 * NULL for a founder. */
static int
ident_make(struct synth *sy, uint64_t index, const struct ident *f,
    struct ident *p, struct lf_error *err)
{
	const char *sur = NULL;
	int age;

	memset(p, 0, sizeof(*p));
	p->index = index;
	p->pk = person_key(sy, index);
	ident_disability(p);
	age = ident_age(p);
	ident_place(sy, p, f);
	if (f != NULL && f->hh_surname != NULL && p->style == ST_HAN &&
	    hu(p->pk, SUB(T_NAME, 1)) < 0.6)
		sur = f->hh_surname;
	p->surname = make_name(sy, hkey(p->pk, T_NAME), p->style, p->sex, sur,
	    p->name, sizeof(p->name));
	if (ident_id(sy, p, age, err) != 0)
		return -1;
	if (ident_household(sy, p, f, err) != 0)
		return -1;
	ident_contact(sy, p);
	ident_misc(p);
	if (f != NULL)
		memcpy(p->address, f->address, sizeof(p->address));
	else
		ident_address(p);
	return 0;
}

/* ---- the year's model -------------------------------------------- */

/* Mostly in the campaign months March to September, never after today. */
static int
fill_date(const struct gctx *g)
{
	int lo = ymd(g->year, 1, 1), hi = ymd(g->year, 12, 31), d;
	uint32_t span;

	if (hi > g->sy->today)
		hi = g->sy->today;
	if (hu(g->yk, T_FILL) < 0.85)
		d = ymd(g->year, 3, 1) + (int)hbelow(g->yk, SUB(T_FILL, 1),
		    214);
	else
		d = lo + (int)hbelow(g->yk, SUB(T_FILL, 2), 365);
	span = (uint32_t)(hi - lo + 1);
	return d <= hi ? d : lo + (int)hbelow(g->yk, SUB(T_FILL, 3), span);
}

static void
year_envelope(struct gctx *g)
{
	const struct synth *sy = g->sy;
	double x;

	g->fill = fill_date(g);
	g->age = date_age(g->me->birth, g->fill);
	x = hu(g->yk, T_METHOD);
	g->method = x < 0.805 ? 1 : x < 0.925 ? 2 : x < 0.995 ? 3 : 4;
	x = hu(g->yk, T_LOST);
	g->lost = g->method != 4 ? 0 : x < 0.25 ? 1 : x < 0.8 ? 2 : 3;
	x = stick_u(g, T_CARD, 0.8);
	g->card = g->lost == 1 ? 3 : x < 0.965 ? 1 : x < 0.993 ? 2 :
	    x < 0.997 ? 4 : 5;
	x = hu(g->yk, T_CHECK);
	if (g->year == sy->today_year)
		g->check = x < 0.55 ? 0 : x < 0.97 ? 1 : 2;
	else
		g->check = x < 0.08 ? 0 : x < 0.97 ? 1 : 2;
	g->gps = g->method == 1 && hu(g->yk, T_GPS) < 0.6;
}

static int
prefecture(const struct ident *p)
{
	return (int)(p->v->reg->code12 / 100000000);
}

static int
ethnic_area(const struct ident *p)
{
	int c = prefecture(p);

	return c == 5132 || c == 5133 || c == 5134;
}

static void
year_care(struct gctx *g)
{
	const struct ident *p = g->me;
	struct cw w[4];
	int i;

	for (i = 0; i < 4; i++)
		w[i] = (struct cw){ i + 1, selfcare_w[p->grade - 1][i] };
	g->self_care = pick_cw(w, 4, stick_u(g, T_SELF, 0.92));
	if (g->age >= 80 && g->self_care < 4 &&
	    stick_u(g, T_SELF2, 0.9) < 0.3)
		g->self_care++;
}

static void
year_poverty(struct gctx *g)
{
	const struct ident *p = g->me;
	double pd = p->hukou == 1 ? 0.24 : 0.255;
	int lifted;

	if (g->severe)
		pd *= 1.25;
	if (p->cat == 5 || p->cat == 6)
		pd *= 1.2;
	if (ethnic_area(p))
		pd *= 1.35;
	g->dibao = !p->institution && stick_u(g, T_DIBAO, 0.9) < pd;
	g->reg_poor = p->hukou == 1 && !p->institution &&
	    hu(g->pk, T_REGPOOR) < (ethnic_area(p) ? 0.26 : 0.16);
	lifted = hu(g->pk, T_POVST) * 1000 >= unlifted_permille(g->year);
	if (g->reg_poor)
		g->poverty = !lifted ? 1 : hu(g->pk, T_MONITOR) < 0.14 ? 3 : 2;
	else if (g->dibao)
		g->poverty = 4;
	else
		g->poverty = hu(g->pk, T_MONITOR) < 0.025 ? 3 : 5;
	g->urban_income = g->dibao ? 1 :
	    stick_u(g, T_UINC, 0.85) < 0.09 ? 2 : 3;
}

static void
year_housing(struct gctx *g)
{
	int poor = g->dibao || g->reg_poor;
	const struct cw uw[] = { { 1, 62 }, { 2, g->dibao ? 18 : 9 },
	    { 3, 17 }, { 4, 8 }, { 5, 4 } };
	const struct cw rw[] = { { 1, 860 }, { 2, poor ? 70 : 35 },
	    { 3, poor ? 30 : 12 }, { 4, 60 }, { 5, 25 } };

	g->urban_housing = pick_cw(uw, NELEM(uw), stick_u(g, T_UHOUSE, 0.95));
	g->rural_housing = pick_cw(rw, NELEM(rw), stick_u(g, T_RHOUSE, 0.85));
}

static void
year_school(struct gctx *g)
{
	const struct ident *p = g->me;
	int a = g->age, special, lvl;
	double pe;

	g->school = 0;
	if (a < 3 || a > 24)
		return;
	pe = a <= 5 ? 0.45 : a <= 14 ? 0.86 : a <= 17 ? 0.5 : 0.12;
	if (p->grade == 1)
		pe *= 0.7;
	if (p->cat == 5 && p->grade <= 2)
		pe *= 0.75;
	if (stick_u(g, T_SCHOOL, 0.9) >= pe)
		return;
	special = stick_u(g, T_SPECIAL, 0.95) <
	    (p->cat == 5 || g->severe ? 0.55 : 0.15);
	if (a <= 5)
		lvl = 1;
	else if (a <= 11)
		lvl = 2;
	else if (a <= 14)
		lvl = 3;
	else if (a <= 17)
		lvl = hu(g->pk, T_LEVEL) < 0.6 ? 4 : 5;
	else
		lvl = hu(g->pk, T_LEVEL) < 0.6 ? 6 : 5;
	g->school = lvl + (special ? 6 : 0);
}

static void
year_work(struct gctx *g)
{
	static const double by_grade[4] = { 0.18, 0.34, 0.62, 0.70 };
	const struct ident *p = g->me;
	double pe = by_grade[p->grade - 1];

	if (p->cat == 5 || p->cat == 6)
		pe *= 0.65;
	if (g->age < 20)
		pe *= 0.5;
	else if (g->age >= 50)
		pe *= 0.85;
	g->employed = g->school == 0 && stick_u(g, T_EMP, 0.85) < pe ? 1 : 2;
	if (p->hukou == 1)
		g->form = pick_cw(form_rural, NELEM(form_rural),
		    stick_u(g, T_FORM, 0.9));
	else
		g->form = pick_cw(form_urban, NELEM(form_urban),
		    stick_u(g, T_FORM, 0.9));
	if ((p->cat == 5 || p->cat == 6) && stick_u(g, SUB(T_FORM, 1), 0.9) <
	    0.03)
		g->form = 5;
}

static void
year_insurance(struct gctx *g)
{
	const struct ident *p = g->me;
	double x = stick_u(g, T_ESI, 0.95), pe = 0;
	int help = g->severe || g->dibao || g->reg_poor;

	if (g->age >= 16 && g->age <= 59 && g->employed == 1)
		pe = g->form == 1 || g->form == 2 || g->form == 4 ? 0.85 :
		    g->form == 3 || g->form == 5 ? 0.18 : g->form == 7 ?
		    0.1 : 0.01;
	else if (g->age >= 60)
		pe = p->hukou == 2 ? 0.35 : 0.03;
	g->esi = 0;
	if (x < pe) {
		g->esi = 1 << 1 | 1 << 2;
		if (hu(g->yk, SUB(T_ESI, 1)) < 0.4)
			g->esi |= 1 << 3;
	}
	g->pension = stick_u(g, T_PENS, 0.95) < 0.88;
	g->pension_sub = stick_u(g, T_PSUB, 0.9) < (help ? 0.85 : 0.12);
	g->medical = stick_u(g, T_MED, 0.95) < 0.97;
	g->medical_sub = stick_u(g, T_MSUB, 0.9) <
	    (help || p->institution ? 0.9 : 0.08);
}

static void
year_assist(struct gctx *g)
{
	const struct ident *p = g->me;
	int poor = g->dibao || g->reg_poor;
	double doc;

	g->assist = 0;
	if (g->dibao)
		g->assist |= 1 << 1;
	if (p->institution)
		g->assist |= 1 << 2;
	if (hu(g->yk, T_SA) < (g->dibao ? 0.2 : 0.04))
		g->assist |= 1 << 3;
	if (hu(g->yk, SUB(T_SA, 1)) < (poor ? 0.2 : 0.05))
		g->assist |= 1 << 4;
	if (p->hukou == 1 && (g->rural_housing == 2 ||
	    g->rural_housing == 3) && hu(g->yk, SUB(T_SA, 2)) < 0.35)
		g->assist |= 1 << 5;
	if (hu(g->yk, SUB(T_SA, 3)) < 0.02)
		g->assist |= 1 << 6;
	g->living_sub = g->dibao && stick_u(g, T_LIVE, 0.95) < 0.93;
	g->care_sub = g->severe && stick_u(g, T_CSUB, 0.95) < 0.84;
	doc = 0.42 + 0.06 * (g->year - 2019);
	if (g->severe || g->age >= 60)
		doc += 0.12;
	g->doctor = stick_u(g, T_DOC, 0.85) < (doc < 0.2 ? 0.2 : doc > 0.9 ?
	    0.9 : doc);
	g->ill = hu(g->yk, T_ILL) < (g->age >= 60 ? 0.26 : 0.14);
}

static void
year_model(struct gctx *g)
{
	year_envelope(g);
	g->severe = g->me->grade <= 2;
	year_care(g);
	year_poverty(g);
	year_housing(g);
	year_school(g);
	year_work(g);
	year_insurance(g);
	year_assist(g);
}

/* ---- writing values ---------------------------------------------- */

static int
put_num(struct gctx *g, const struct field *f, int64_t v)
{
	record_set_num(g->r, f->index, v);
	return 0;
}

/* An option of an enum; an unknown code becomes the first option. */
static int
put_enum(struct gctx *g, const struct field *f, int v)
{
	if (v < 0 || v > 62 || !((g->sy->valid[f->index] >> v) & 1)) {
		if (f->noptions == 0)
			return 0;
		v = f->options[0].code;
	}
	return put_num(g, f, v);
}

static int
put_bool(struct gctx *g, const struct field *f, int yes)
{
	return put_num(g, f, yes ? 1 : 0);
}

/* A multi: codes the item lacks are dropped, "none" gives way to real
 * answers; nothing left means "none" when the item has one, else unset. */
static int
put_multi(struct gctx *g, const struct field *f, int64_t mask)
{
	mask &= g->sy->valid[f->index];
	if (f->exclusive >= 0 && mask != ((int64_t)1 << f->exclusive))
		mask &= ~((int64_t)1 << f->exclusive);
	if (mask == 0 && f->exclusive >= 0)
		mask = (int64_t)1 << f->exclusive;
	if (mask == 0)
		return 0;
	return put_num(g, f, mask);
}

/* Text cut to the item's length in characters. */
static int
put_text(struct gctx *g, const struct field *f, const char *s)
{
	char tmp[256];
	size_t n = strlen(s), chars = 0;

	if (f->max <= 0 || n <= (size_t)f->max)
		return record_set_str(g->r, f->index, s);
	n = 0;
	while (s[n] != '\0' && n < sizeof(tmp) - 1) {
		size_t step = 1;

		while ((s[n + step] & 0xC0) == 0x80)
			step++;
		if (chars == (size_t)f->max || n + step > sizeof(tmp) - 1)
			break;
		n += step;
		chars++;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return record_set_str(g->r, f->index, tmp);
}

static int
put_str(struct gctx *g, const struct field *f, const char *s)
{
	return record_set_str(g->r, f->index, s);
}

static int
put_region(struct gctx *g, const struct field *f, const struct village *v)
{
	if (record_set_str(g->r, f->index, v->reg->code) != 0)
		return -1;
	return put_num(g, f, v->reg->code12);
}

/* The field's own draws. */
static uint64_t
ftag(const struct gctx *g, const struct field *f)
{
	return g->sy->tag[f->index];
}

/* A multi of picks from weights: one pick, a second with p2. */
static int64_t
pick_some(struct gctx *g, const struct field *f, const struct cw *w,
    size_t n, double p2)
{
	uint64_t s = hkey(g->yk, ftag(g, f));
	int64_t m = (int64_t)1 << pick_cw(w, n, sm_unit(&s));

	if (sm_unit(&s) < p2)
		m |= (int64_t)1 << pick_cw(w, n, sm_unit(&s));
	return m;
}

/* ---- generators: values of the model ----------------------------- */

/* The value a model member holds, by kind. */
static int
gen_value(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	const char *base = d->src == S_IDENT ? (const char *)g->me :
	    (const char *)g;
	const void *m = base + d->off;

	switch (d->kind) {
	case K_ENUM:
		return put_enum(g, f, *(const int *)m);
	case K_ENUM0:
		return *(const int *)m ? put_enum(g, f, *(const int *)m) : 0;
	case K_BOOL:
		return put_bool(g, f, *(const int *)m);
	case K_NUM:
		return put_num(g, f, *(const int *)m);
	case K_MULTI:
		return put_multi(g, f, *(const int64_t *)m);
	case K_TEXT:
		return put_text(g, f, (const char *)m);
	case K_STR:
		return *(const char *)m ? put_str(g, f, (const char *)m) : 0;
	default:
		return put_region(g, f, *(const struct village *const *)m);
	}
}

/* One surveyor per village and year. */
static uint64_t
surveyor_key(const struct gctx *g)
{
	uint64_t village = (uint64_t)g->me->v->reg->code12;

	return hkey(hkey(g->sy->seed ^ 0x5EC7E7, village), (uint64_t)g->year);
}

static int
gen_surveyor(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	uint64_t k = surveyor_key(g);
	int eth = pick_eth(g->me->v, hu(k, 1));
	char name[48];

	(void)d;
	make_name(g->sy, hkey(k, 2), style_of(k, eth), hu(k, 3) < 0.55 ?
	    IDCARD_FEMALE : IDCARD_MALE, NULL, name, sizeof(name));
	return put_text(g, f, name);
}

static int
gen_surveyor_phone(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	uint64_t k = surveyor_key(g);
	char phone[16];

	(void)d;
	if (hu(k, 4) >= 0.85)
		return 0;
	make_mobile(hkey(k, 5), phone);
	return put_str(g, f, phone);
}

static int
gen_signed(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	(void)d;
	if (g->method == 4)
		return 0;
	return put_bool(g, f, g->method <= 2 && hu(g->yk, ftag(g, f)) < 0.97);
}

/*
 * The form's clock (form_started_at, form_submitted_at; Unix seconds):
 * only the visits entered on the app carry it (not lost ones, 70% of the
 * others). Opened between 08:00 and 17:00 Beijing time on the fill
 * date; a visit takes 8..40 minutes, but one surveyor in 40 (by village
 * and year) rushes through most of theirs in 30..100 s, so the quality
 * rule SURVEYOR_FAST has something to find. 0 when not timed.
 */
static int
form_clock(const struct gctx *g, int64_t *start, int64_t *took)
{
	uint64_t sk = surveyor_key(g);

	if (g->method == 4 || hu(g->yk, SUB(T_CLOCK, 1)) >= 0.7)
		return 0;
	*start = (int64_t)g->fill * 86400 +	/* 08:00 in Beijing */
	    (int64_t)hbelow(g->yk, SUB(T_CLOCK, 2), 9 * 3600);
	if (hu(sk, SUB(T_CLOCK, 3)) < 0.025 && hu(g->yk, SUB(T_CLOCK, 4)) <
	    0.8)
		*took = 30 + (int64_t)hbelow(g->yk, SUB(T_CLOCK, 5), 71);
	else
		*took = 480 + (int64_t)hbelow(g->yk, SUB(T_CLOCK, 5), 1921);
	return 1;
}

static int
gen_clock(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	int64_t start, took;

	if (!form_clock(g, &start, &took) || start < f->min ||
	    start + took > f->max)
		return 0;
	return put_num(g, f, strcmp(d->code, "form_started_at") == 0 ?
	    start : start + took);
}

/* Latitude or longitude in micro-degrees, scaled to the item. */
static int
put_degrees(struct gctx *g, const struct field *f, int64_t micro)
{
	int s;

	for (s = f->scale; s > 6; s--)
		micro *= 10;
	for (; s < 6; s++)
		micro /= 10;
	if (micro < f->min || micro > f->max)
		return 0;
	return put_num(g, f, micro);
}

static int
gen_gps(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	int lat = strcmp(d->code, "gps_lat") == 0;
	int64_t base = lat ? g->me->res->lat : g->me->res->lon;

	if (!g->gps)
		return 0;
	return put_degrees(g, f, base + (int64_t)hbelow(g->yk, ftag(g, f),
	    8001) - 4000);
}

static int
gen_one(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	(void)d;
	return put_enum(g, f, 1);
}

static int
gen_card_no(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	char card[IDCARD_CERT_LEN + 1];

	(void)d;
	if (idcard_make_certificate(g->me->id, g->me->cat, g->me->grade,
	    card) != 0)
		return 0;
	return put_str(g, f, card);
}

static int
marital(const struct gctx *g)
{
	const struct ident *p = g->me;
	int a = g->age, band, i, k, st;
	struct cw w[4];
	double x = hu(g->pk, T_MARRY2);

	if (a < 20 || (p->sex == IDCARD_MALE && a < 22))
		return 10;
	band = a < 30 ? 0 : a < 45 ? 1 : a < 60 ? 2 : a < 75 ? 3 : 4;
	k = p->cat == 5 || p->cat == 6 || (p->grade == 1 && p->age0 < 30) ?
	    3 : 1;
	for (i = 0; i < 4; i++)
		w[i] = (struct cw){ i, marry_w[band][i] * (i == 0 ? k : 1) };
	st = pick_cw(w, 4, hu(g->pk, T_MARRY));
	if (p->relation == 1)
		st = 1;
	if (marry_code[st] != 20)
		return marry_code[st];
	return x < 0.85 ? 20 : x < 0.9 ? 21 : x < 0.98 ? 22 : 23;
}

static int
gen_marital(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	(void)d;
	return put_enum(g, f, marital(g));
}

/* ---- generators: economy, school, work, services ----------------- */

static int
gen_housing_security(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	static const struct cw w[] = { { 1, 30 }, { 2, 45 }, { 3, 8 },
	    { 4, 10 }, { 5, 5 }, { 6, 2 } };

	(void)d;
	return put_multi(g, f, pick_some(g, f, w, NELEM(w), 0.15));
}

static int
gen_out_of_school(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	static const struct cw w[] = { { 1, 30 }, { 2, 15 }, { 3, 15 },
	    { 4, 12 }, { 5, 18 }, { 6, 10 } };
	double x = stick_u(g, ftag(g, f), 0.9);

	(void)d;
	if (g->severe && x < 0.7)
		return put_enum(g, f, 1);
	return put_enum(g, f, pick_cw(w, NELEM(w), hu(g->yk, ftag(g, f) + 1)));
}

static int
gen_unemp_income(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	int old = g->me->hukou == 2 && g->age >= 50;
	const struct cw w[] = { { 1, old ? 25 : 2 }, { 2, 2 },
	    { 3, g->dibao ? 55 : 10 }, { 4, 60 }, { 5, 8 } };

	(void)d;
	return put_enum(g, f, pick_cw(w, NELEM(w), stick_u(g, ftag(g, f),
	    0.85)));
}

static int
gen_unemp_reason(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	const struct cw w[] = { { 2, g->age >= 50 ? 10 : 0 }, { 3, 12 },
	    { 4, 30 }, { 5, g->severe ? 60 : 15 },
	    { 6, g->me->hukou == 1 ? 3 : 0 }, { 7, 10 } };

	(void)d;
	if (g->school > 0)
		return put_enum(g, f, 1);
	return put_enum(g, f, pick_cw(w, NELEM(w), stick_u(g, ftag(g, f),
	    0.85)));
}

static int
gen_emp_support(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	const struct cw w[] = { { 1, 40 }, { 2, 15 },
	    { 3, g->me->hukou == 1 ? 25 : 0 }, { 4, 8 }, { 5, 15 } };

	(void)d;
	if (hu(g->yk, ftag(g, f) + 7) >= 0.28)
		return put_multi(g, f, 0);
	return put_multi(g, f, pick_some(g, f, w, NELEM(w), 0.2));
}

static int
gen_welfare(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	int64_t m = 0;

	(void)d;
	if (g->living_sub)
		m |= 1 << 1;
	if (g->care_sub)
		m |= 1 << 2;
	if (stick_u(g, ftag(g, f), 0.8) < 0.04)
		m |= 1 << 3;
	return put_multi(g, f, m);
}

static int
gen_untreated(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	static const struct cw w[] = { { 1, 40 }, { 2, 25 }, { 3, 40 },
	    { 4, 8 }, { 5, 5 } };

	(void)d;
	return put_multi(g, f, pick_some(g, f, w, NELEM(w), 0.3));
}

static int
gen_rehab_received(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	const struct ident *p = g->me;
	uint64_t s = hkey(g->yk, ftag(g, f));
	double any = 0.5 + (g->severe ? 0.15 : 0) + (g->age < 18 ? 0.2 : 0);
	int64_t m = 0;

	(void)d;
	if (stick_u(g, ftag(g, f) + 1, 0.7) >= any)
		return put_multi(g, f, (int64_t)1 << 6);
	if (sm_unit(&s) < 0.5)
		m |= 1 << 1;
	if (sm_unit(&s) < (g->age < 18 ? 0.6 : 0.25))
		m |= 1 << 2;
	if (sm_unit(&s) < 0.3)
		m |= 1 << 3;
	if (sm_unit(&s) < (g->self_care >= 3 ? 0.5 : 0.05))
		m |= 1 << 4;
	if (sm_unit(&s) < (has_cat(p, 6) ? 0.3 : 0.04))
		m |= 1 << 5;
	return put_multi(g, f, m ? m : 1 << 1);
}

static int
gen_no_rehab_reason(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	static const struct cw w[] = { { 1, 22 }, { 2, 12 }, { 3, 15 },
	    { 4, 10 }, { 5, 38 }, { 6, 3 } };

	(void)d;
	return put_multi(g, f, pick_some(g, f, w, NELEM(w), 0.2));
}

static int
gen_culture(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	static const struct cw frail[] = { { 1, 4 }, { 2, 20 }, { 3, 76 } };
	static const struct cw young[] = { { 1, 20 }, { 2, 45 }, { 3, 35 } };
	static const struct cw other[] = { { 1, 12 }, { 2, 33 }, { 3, 55 } };
	double x = stick_u(g, ftag(g, f), 0.8);

	(void)d;
	if (g->age >= 75 || g->self_care >= 3)
		return put_enum(g, f, pick_cw(frail, NELEM(frail), x));
	if (g->age < 30)
		return put_enum(g, f, pick_cw(young, NELEM(young), x));
	return put_enum(g, f, pick_cw(other, NELEM(other), x));
}

static int
gen_no_culture(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	int frail = g->severe || g->age >= 60;
	const struct cw w[] = { { 1, frail ? 60 : 30 }, { 2, 20 }, { 3, 15 },
	    { 4, 20 }, { 5, 5 } };

	(void)d;
	return put_multi(g, f, pick_some(g, f, w, NELEM(w), 0.25));
}

/* ---- generators: needs ------------------------------------------- */

/* Conditions of the need rules. */
static int
holds(const struct gctx *g, int c)
{
	const struct ident *p = g->me;
	int m;

	switch (c) {
	case C_TRUE:		return 1;
	case C_CHILD:		return g->age < 18;
	case C_AGE_LE5:		return g->age <= 5;
	case C_AGE_LE15:	return g->age <= 15;
	case C_AGE_LT30:	return g->age < 30;
	case C_AGE_LT60:	return g->age < 60;
	case C_ELDER:		return g->age >= 60;
	case C_OLD65:		return g->age >= 65;
	case C_OLD70:		return g->age >= 70;
	case C_OLD75:		return g->age >= 75;
	case C_SEVERE:		return g->severe;
	case C_GRADE3:		return p->grade == 3;
	case C_CAT1: case C_CAT2: case C_CAT3: case C_CAT4: case C_CAT5:
	case C_CAT6:		return has_cat(p, c - C_CAT1 + 1);
	case C_MULTI:		return p->cat == 7;
	case C_MAIN56:		return p->cat == 5 || p->cat == 6;
	case C_SELF2:		return g->self_care == 2;
	case C_SELF34:		return g->self_care >= 3;
	case C_DIBAO:		return g->dibao;
	case C_REGPOOR:		return g->reg_poor;
	case C_POOR:		return g->dibao || g->reg_poor;
	case C_EDGE:		return g->reg_poor || g->poverty == 3 ||
				    g->urban_income == 2;
	case C_LIVING:		return g->living_sub;
	case C_CARESUB:		return g->care_sub;
	case C_INST:		return p->institution;
	case C_RURAL:		return p->hukou == 1;
	case C_URBAN:		return p->hukou == 2;
	case C_EMPLOYED:	return g->employed == 1;
	case C_STUDENT:		return g->school > 0;
	case C_OWN_FARM:	return g->employed == 1 &&
				    (g->form == 3 || g->form == 6);
	case C_FLEXIBLE:	return g->employed == 1 && g->form == 7;
	case C_BAD_HOUSE:	return p->hukou == 1 && !p->institution &&
				    (g->rural_housing == 2 ||
				    g->rural_housing == 3);
	case C_NO_HOUSE:	return p->hukou == 1 && !p->institution &&
				    g->rural_housing == 5;
	case C_RENTS:		return p->hukou == 2 && g->urban_housing >= 3;
	case C_CARD2:		return g->card == 2;
	case C_ILL:		return g->ill;
	case C_SINGLE:		m = marital(g);
				return g->age >= 20 && (m < 20 || m > 23);
	case C_DEPENDENT:	return g->age >= 18 && g->age <= 59 &&
				    marital(g) == 10;
	case C_ETHNIC_AREA:	return ethnic_area(p);
	case C_DISASTER_AREA:	m = prefecture(p);
				return m == 5132 || m == 5133 || m == 5118;
	}
	return 0;
}

/* Probability of "yes": the first case that holds, plus every PLUS that
 * holds (PLUS cases come last). */
static double
rule_p(const struct gctx *g, const struct gen_def *d)
{
	double p = 0;
	int based = 0;
	size_t i;

	for (i = 0; i < NWHEN && d->when[i].a != C_END; i++) {
		const struct when *w = &d->when[i];

		if ((!w->add && based) || !holds(g, w->a) ||
		    (w->b != C_END && !holds(g, w->b)))
			continue;
		if (w->add) {
			p += w->p;
		} else {
			p = w->p;
			based = 1;
		}
	}
	return clamp01(p);
}

/* A yes/no item from its rule; a group's closer says yes when nothing
 * else in the group did. */
static int
gen_rule(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	double p;
	int yes;

	if (d->closer && g->yes[d->group] == 0)
		yes = 1;
	else {
		p = rule_p(g, d);
		if (f->section == SEC_NEED && g->sy->need_scale != 1.0)
			p = 1.0 - pow(1.0 - p, g->sy->need_scale);
		yes = stick_u(g, ftag(g, f), NEED_STICK) < p;
	}
	return put_bool(g, f, yes);
}

static int
gen_surgery(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	const struct ident *p = g->me;
	uint64_t s = hkey(g->pk, ftag(g, f));
	int child = g->age < 18;
	int64_t m = 0;

	(void)d;
	if (hu(g->yk, ftag(g, f)) >= 0.7)
		return 0;
	if (has_cat(p, 1) && g->age >= 50 && sm_unit(&s) < 0.3)
		m |= 1 << 1;
	if (has_cat(p, 2) && sm_unit(&s) < (child ? 0.4 : 0.02))
		m |= 1 << 2;
	if (has_cat(p, 4) && sm_unit(&s) < (child ? 0.35 : 0.06))
		m |= 1 << 3;
	if (has_cat(p, 3) && child && sm_unit(&s) < 0.25)
		m |= 1 << 4;
	return m ? put_multi(g, f, m) : 0;
}

static int
gen_training(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	static const int bit[7] = { 0, 0, 3, 3, 4, 5, 6 };
	const struct ident *p = g->me;
	uint64_t s = hkey(g->pk, ftag(g, f));
	int64_t m = 0;
	int c;

	(void)d;
	if (stick_u(g, ftag(g, f), NEED_STICK) >= 0.78)
		return 0;
	for (c = 1; c <= 6; c++) {
		if (!has_cat(p, c) || (p->cat == 7 && sm_unit(&s) >= 0.7))
			continue;
		m |= (int64_t)1 << (c == 1 ? (g->severe ? 2 : 1) : bit[c]);
	}
	if ((p->cat == 5 || p->cat == 6) && g->age < 18 && sm_unit(&s) < 0.3)
		m |= 1 << 7;
	return put_multi(g, f, m ? m : (int64_t)1 << 4);
}

static int
gen_prosthesis(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	static const struct cw w[] = { { 1, 25 }, { 2, 45 }, { 3, 30 } };

	(void)d;
	if (stick_u(g, ftag(g, f), 0.9) >= (g->me->grade >= 3 ? 0.14 : 0.08))
		return 0;
	return put_enum(g, f, pick_cw(w, NELEM(w), hu(g->pk, ftag(g, f) + 1)));
}

static int
gen_career(struct gctx *g, const struct gen_def *d, const struct field *f)
{
	uint64_t s = hkey(g->yk, ftag(g, f) + 1);
	int64_t m = 0;

	if (!(d->closer && g->yes[d->group] == 0) &&
	    stick_u(g, ftag(g, f), NEED_STICK) >= 0.35)
		return 0;
	if (sm_unit(&s) < 0.4)
		m |= 1 << 1;
	if (sm_unit(&s) < 0.6)
		m |= 1 << 2;
	if (sm_unit(&s) < 0.5)
		m |= 1 << 3;
	if (sm_unit(&s) < 0.05)
		m |= 1 << 4;
	return put_multi(g, f, m ? m : 1 << 2);
}

static int
gen_care_service(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	static const struct cw w[] = { { 4, 55 }, { 1, 27 }, { 2, 12 },
	    { 3, 6 } };

	(void)d;
	return put_enum(g, f, pick_cw(w, NELEM(w), stick_u(g, ftag(g, f),
	    NEED_STICK)));
}

static int
gen_cult_activity(struct gctx *g, const struct gen_def *d,
    const struct field *f)
{
	uint64_t s = hkey(g->yk, ftag(g, f) + 1);
	int64_t m = 0;

	(void)d;
	if (stick_u(g, ftag(g, f), NEED_STICK) >= 0.75)
		return 0;
	if (sm_unit(&s) < (has_cat(g->me, 1) ? 0.8 : 0.45))
		m |= 1 << 1;
	if (sm_unit(&s) < 0.35)
		m |= 1 << 2;
	if (sm_unit(&s) < 0.15)
		m |= 1 << 3;
	if (sm_unit(&s) < 0.45)
		m |= 1 << 4;
	if (sm_unit(&s) < 0.05)
		m |= 1 << 5;
	return put_multi(g, f, m ? m : 1 << 4);
}

/* ---- the generator table ----------------------------------------- */

#define FN(c, f)	{ .code = c, .fn = f }
#define FNG(c, f, grp, cl) { .code = c, .fn = f, .group = grp, .closer = cl }
#define ID(c, m, k)	{ .code = c, .fn = gen_value, .src = S_IDENT, \
			  .kind = k, .off = offsetof(struct ident, m) }
#define YR(c, m, k)	{ .code = c, .fn = gen_value, .src = S_YEAR, \
			  .kind = k, .off = offsetof(struct gctx, m) }
#define RULE(c, grp, cl, ...) { .code = c, .fn = gen_rule, .group = grp, \
			  .closer = cl, .when = { __VA_ARGS__ } }
#define NEED(c, ...)	RULE(c, G_NONE, 0, __VA_ARGS__)
#define IF(a, p)	{ a, C_END, 0, p }
#define IF2(a, b, p)	{ a, b, 0, p }
#define ELSE(p)		{ C_TRUE, C_END, 0, p }
#define PLUS(a, p)	{ a, C_END, 1, p }

/* Every item the generator knows, by catalog code. Need rules read: the
 * first IF that holds gives the probability of "yes" (ELSE when none),
 * then each PLUS that holds adds to it. */
static const struct gen_def gens[] = {
	YR("survey_method", method, K_ENUM),
	YR("lost_reason", lost, K_ENUM),
	FN("surveyor_name", gen_surveyor),
	FN("surveyor_phone", gen_surveyor_phone),
	YR("fill_date", fill, K_NUM),
	FN("form_started_at", gen_clock),
	FN("form_submitted_at", gen_clock),
	FN("respondent_signed", gen_signed),
	FN("gps_lat", gen_gps),
	FN("gps_lon", gen_gps),
	YR("check_state", check, K_ENUM),
	FN("data_source", gen_one),

	ID("name", name, K_TEXT),
	ID("id_number", id, K_STR),
	ID("gender", sex, K_ENUM),
	ID("birth_date", birth, K_NUM),
	ID("ethnicity", eth, K_ENUM),
	FN("disability_card_no", gen_card_no),
	ID("disability_category", cat, K_ENUM),
	ID("disability_grade", grade, K_ENUM),
	ID("multi_disability_detail", multi, K_MULTI),
	YR("card_status", card, K_ENUM),
	ID("disability_cause", cause, K_ENUM0),
	YR("self_care_ability", self_care, K_ENUM),
	ID("contact_name", contact_name, K_TEXT),
	ID("contact_relation", contact_rel, K_ENUM),
	ID("contact_landline", landline, K_STR),
	ID("contact_mobile", mobile, K_STR),
	ID("hukou_type", hukou, K_ENUM),
	ID("hukou_region", v, K_VILLAGE),
	ID("residence_region", res, K_VILLAGE),
	ID("residence_address", address, K_TEXT),
	ID("household_no", hh_no, K_TEXT),
	ID("householder_name", hh_name, K_TEXT),
	ID("householder_id_number", hh_id, K_STR),
	ID("relation_to_householder", relation, K_ENUM),
	FN("marital_status", gen_marital),
	ID("in_welfare_institution", institution, K_BOOL),
	YR("urban_income_status", urban_income, K_ENUM),
	YR("urban_housing_status", urban_housing, K_ENUM),
	FN("housing_security_type", gen_housing_security),
	YR("rural_poverty_status", poverty, K_ENUM),
	YR("rural_housing_status", rural_housing, K_ENUM),
	ID("literate", literate, K_BOOL),
	ID("education_level", edu, K_ENUM),
	YR("school_type", school, K_ENUM),
	FN("out_of_school_reason", gen_out_of_school),
	YR("employed", employed, K_ENUM),
	YR("employment_form", form, K_ENUM),
	NEED("unemployment_registered", IF(C_URBAN, 0.18), ELSE(0.05)),
	FN("unemployed_income_source", gen_unemp_income),
	FN("unemployed_reason", gen_unemp_reason),
	FN("employment_support_received", gen_emp_support),
	YR("employee_social_insurance", esi, K_MULTI),
	YR("resident_pension_insured", pension, K_BOOL),
	YR("resident_pension_subsidy", pension_sub, K_BOOL),
	YR("resident_medical_insured", medical, K_BOOL),
	YR("resident_medical_subsidy", medical_sub, K_BOOL),
	YR("social_assistance_received", assist, K_MULTI),
	FN("welfare_subsidy_received", gen_welfare),
	YR("family_doctor_signed", doctor, K_BOOL),
	NEED("care_service_received", IF(C_MAIN56, 0.1), ELSE(0.06)),
	YR("illness_two_weeks", ill, K_BOOL),
	NEED("illness_treated", ELSE(0.75)),
	FN("untreated_reason", gen_untreated),
	FN("rehab_service_received", gen_rehab_received),
	FN("no_rehab_reason", gen_no_rehab_reason),
	NEED("home_accessibility_modified", IF2(C_CAT4, C_SEVERE, 0.1),
	    ELSE(0.03)),
	FN("culture_sports_participation", gen_culture),
	FN("no_culture_reason", gen_no_culture),

	NEED("rehab_need_any", IF(C_CHILD, 0.95), IF(C_CAT6, 0.88),
	    ELSE(0.74), PLUS(C_SEVERE, 0.08), PLUS(C_OLD75, -0.08)),
	FNG("rehab_surgery", gen_surgery, G_REHAB, 0),
	NEED("rehab_medication", ELSE(0.85)),
	FNG("rehab_training", gen_training, G_REHAB, 0),
	RULE("rehab_child_rescue", G_REHAB, 0, ELSE(0.9)),
	RULE("rehab_psych_support", G_REHAB, 0, IF(C_CAT6, 0.45),
	    IF(C_CHILD, 0.2), ELSE(0.12)),
	RULE("rehab_home_guidance", G_REHAB, 1, IF(C_SEVERE, 0.8),
	    ELSE(0.65)),
	NEED("aid_need_any", IF(C_MULTI, 0.55), IF(C_CAT1, 0.6),
	    IF(C_CAT4, 0.6), IF(C_CAT2, 0.55), ELSE(0.1), PLUS(C_SEVERE, 0.1),
	    PLUS(C_OLD70, 0.1)),
	RULE("aid_wheelchair", G_AID, 0, IF2(C_CAT4, C_SEVERE, 0.7),
	    IF2(C_CAT4, C_GRADE3, 0.3), IF(C_CAT4, 0.08), IF(C_SELF34, 0.19),
	    ELSE(0.04), PLUS(C_OLD75, 0.2)),
	RULE("aid_crutch_walker", G_AID, 0, IF2(C_CAT4, C_SEVERE, 0.2),
	    IF(C_CAT4, 0.5), ELSE(0.04), PLUS(C_OLD65, 0.15)),
	FNG("aid_prosthesis", gen_prosthesis, G_AID, 0),
	RULE("aid_orthosis", G_AID, 0, IF2(C_CAT4, C_CHILD, 0.45),
	    IF(C_CAT4, 0.12), ELSE(0.02)),
	RULE("aid_white_cane", G_AID, 0, IF2(C_CAT1, C_SEVERE, 0.8),
	    IF(C_CAT1, 0.15), ELSE(0.01)),
	RULE("aid_low_vision", G_AID, 0, IF2(C_CAT1, C_SEVERE, 0.1),
	    IF(C_CAT1, 0.7), ELSE(0.01)),
	RULE("aid_reading_device", G_AID, 0, IF(C_CAT1, 0.4), ELSE(0.01)),
	RULE("aid_hearing_aid", G_AID, 0, IF(C_CAT2, 0.88), IF(C_OLD70, 0.05),
	    ELSE(0.01)),
	RULE("aid_daily_living", G_AID, 0, IF(C_SELF34, 0.6),
	    IF(C_SELF2, 0.3), ELSE(0.1)),
	RULE("aid_nursing_bed", G_AID, 0, IF(C_SELF34, 0.5), ELSE(0.03)),
	RULE("aid_communication", G_AID, 0, IF(C_CAT2, 0.15),
	    IF(C_CAT3, 0.15), IF(C_CAT5, 0.15), ELSE(0.02)),
	RULE("aid_fitting_repair", G_AID, 1, ELSE(0.25)),
	NEED("edu_need_any", IF(C_AGE_LE5, 0.6), IF(C_AGE_LE15, 0.7),
	    ELSE(0.35)),
	RULE("edu_preschool", G_EDU, 0, ELSE(0.85)),
	RULE("edu_compulsory_placement", G_EDU, 0, IF(C_STUDENT, 0.3),
	    ELSE(0.8)),
	RULE("edu_home_teaching", G_EDU, 0, IF(C_STUDENT, 0.35), ELSE(0.8)),
	RULE("edu_high_school_above", G_EDU, 0, ELSE(0.5)),
	RULE("edu_funding", G_EDU, 1, IF(C_POOR, 0.85), ELSE(0.5)),
	NEED("edu_sign_braille", IF(C_CAT1, 0.6), IF(C_CAT2, 0.6),
	    IF(C_CAT3, 0.35), ELSE(0.03)),
	NEED("edu_adult_literacy", IF(C_AGE_LT60, 0.18), ELSE(0.05)),
	NEED("emp_need_any", IF(C_EMPLOYED, 0.38), IF(C_STUDENT, 0.2),
	    IF(C_SEVERE, 0.3), ELSE(0.68)),
	RULE("emp_vocational_training", G_EMP, 0, ELSE(0.55)),
	RULE("emp_job_referral", G_EMP, 0, IF(C_EMPLOYED, 0.1), ELSE(0.45)),
	RULE("emp_rural_tech_training", G_EMP, 0, ELSE(0.4)),
	RULE("emp_credit_support", G_EMP, 0, IF(C_OWN_FARM, 0.3),
	    ELSE(0.12)),
	RULE("emp_material_support", G_EMP, 0, IF(C_RURAL, 0.3), ELSE(0.12)),
	RULE("emp_home_flexible", G_EMP, 0, IF(C_SEVERE, 0.4), ELSE(0.25)),
	RULE("emp_public_post", G_EMP, 0, ELSE(0.15)),
	RULE("emp_supported", G_EMP, 0, IF(C_MAIN56, 0.55), ELSE(0.04)),
	RULE("emp_self_employment", G_EMP, 0, ELSE(0.1)),
	FNG("emp_career_guidance", gen_career, G_EMP, 1),
	NEED("emp_flexible_insurance_subsidy", IF(C_FLEXIBLE, 0.4),
	    ELSE(0.08)),
	NEED("ss_dibao", IF(C_DIBAO, 0.9), IF(C_EDGE, 0.35), ELSE(0.04)),
	NEED("ss_tekun", IF(C_INST, 0.9), IF2(C_SEVERE, C_SINGLE, 0.15),
	    ELSE(0.01)),
	NEED("ss_temporary_assistance", IF(C_DIBAO, 0.3), IF(C_REGPOOR, 0.2),
	    ELSE(0.05)),
	NEED("ss_living_subsidy", IF(C_LIVING, 0.92), IF(C_DIBAO, 0.7),
	    ELSE(0.02)),
	NEED("ss_care_subsidy", IF(C_CARESUB, 0.95), IF(C_SEVERE, 0.8),
	    ELSE(0.01)),
	NEED("ss_poverty_living_allowance", ELSE(0.65)),
	NEED("ss_pension_premium", IF(C_POOR, 0.6), IF(C_SEVERE, 0.6),
	    ELSE(0.3)),
	NEED("ss_medical_premium", IF(C_POOR, 0.55), IF(C_SEVERE, 0.55),
	    ELSE(0.25)),
	NEED("ss_medical_assistance", IF(C_POOR, 0.5), IF(C_SEVERE, 0.3),
	    ELSE(0.12), PLUS(C_ILL, 0.1)),
	NEED("ss_accident_insurance", ELSE(0.2)),
	NEED("ss_transport_subsidy", IF2(C_CAT4, C_SEVERE, 0.3),
	    IF2(C_CAT1, C_SEVERE, 0.3), ELSE(0.08)),
	NEED("house_dilapidated_renovation", IF(C_BAD_HOUSE, 0.92),
	    IF(C_NO_HOUSE, 0.3), ELSE(0.008)),
	NEED("house_security", IF(C_RENTS, 0.35), IF(C_DIBAO, 0.25),
	    ELSE(0.03)),
	NEED("access_need_any", IF2(C_CAT4, C_SEVERE, 0.4),
	    IF2(C_CAT1, C_SEVERE, 0.4), IF(C_CAT4, 0.18), IF(C_OLD70, 0.15),
	    ELSE(0.05)),
	RULE("access_ramp", G_ACCESS, 0, IF(C_CAT4, 0.55), ELSE(0.25)),
	RULE("access_handrail", G_ACCESS, 1, ELSE(0.55)),
	RULE("access_bathroom_kitchen", G_ACCESS, 0, ELSE(0.35)),
	RULE("access_signal_devices", G_ACCESS, 0, IF(C_CAT1, 0.6),
	    IF(C_CAT2, 0.6), ELSE(0.03)),
	NEED("house_relocation", IF2(C_REGPOOR, C_ETHNIC_AREA, 0.15),
	    IF(C_REGPOOR, 0.05), ELSE(0.005)),
	NEED("house_disaster_reconstruction", IF(C_DISASTER_AREA, 0.03),
	    ELSE(0.006)),
	FN("care_service", gen_care_service),
	NEED("care_home_nursing", IF(C_SELF34, 0.55), IF(C_SELF2, 0.15),
	    ELSE(0.03)),
	NEED("care_elderly_service", IF(C_OLD75, 0.5), ELSE(0.35)),
	NEED("care_family_doctor", IF(C_SEVERE, 0.68), IF(C_ELDER, 0.68),
	    ELSE(0.55)),
	NEED("care_aging_parent_support", IF2(C_DEPENDENT, C_MAIN56, 0.3),
	    IF2(C_DEPENDENT, C_SEVERE, 0.3), ELSE(0.02)),
	NEED("cult_need_any", IF(C_AGE_LT30, 0.5), IF(C_ELDER, 0.27),
	    ELSE(0.37)),
	FNG("cult_activity", gen_cult_activity, G_CULT, 0),
	RULE("cult_sports_fitness", G_CULT, 1, ELSE(0.45)),
	NEED("cult_accessible_info", IF(C_CAT1, 0.6), IF(C_CAT2, 0.6),
	    ELSE(0.05)),
	NEED("legal_aid", ELSE(0.04)),
	NEED("legal_rights_protection", ELSE(0.03)),
	NEED("legal_certificate_service", IF(C_CARD2, 0.95),
	    IF(C_SEVERE, 0.1), ELSE(0.03)),
};

static const struct gen_def *
find_gen(const char *code)
{
	size_t i;

	for (i = 0; i < NELEM(gens); i++)
		if (strcmp(gens[i].code, code) == 0)
			return &gens[i];
	return NULL;
}

/* A neutral value for a required item the generator does not know. */
static int
gen_default(struct gctx *g, const struct field *f)
{
	char text[256];
	size_t n;

	switch (f->type) {
	case FT_TEXT:
		for (n = 0; (int64_t)(n / 3) < (f->min > 0 ? f->min : 1) &&
		    n + 3 < sizeof(text); n += 3)
			memcpy(text + n, "无", 3);
		text[n] = '\0';
		return put_str(g, f, text);
	case FT_INT:
	case FT_MONEY:
	case FT_DECIMAL:
		return put_num(g, f, f->min > 0 ? f->min : f->max < 0 ?
		    f->max : 0);
	case FT_DATE:
		return put_num(g, f, g->fill);
	case FT_ID_NUMBER:
		return put_str(g, f, g->me->id);
	case FT_PHONE:
		return put_str(g, f, g->me->mobile[0] ? g->me->mobile :
		    g->me->landline);
	case FT_REGION:
		return put_region(g, f, g->me->v);
	case FT_BOOL:
		return put_bool(g, f, 0);
	case FT_MULTI:
		return put_multi(g, f, f->noptions ?
		    (int64_t)1 << f->options[0].code : 0);
	default:
		return put_enum(g, f, f->noptions ? f->options[0].code : 0);
	}
}

static int
is_yes(const struct record *r, const struct field *f)
{
	if (!r->set[f->index])
		return 0;
	if (f->type == FT_BOOL)
		return r->num[f->index] != 0;
	if (f->type == FT_MULTI)
		return f->exclusive < 0 ||
		    r->num[f->index] != (int64_t)1 << f->exclusive;
	if (f->type == FT_ENUM)
		return r->num[f->index] != f->exclusive;
	return 1;
}

static int
walk(struct gctx *g, struct lf_error *err)
{
	const struct catalog *cat = g->sy->cat;
	size_t i;

	for (i = 0; i < cat->nfields; i++) {
		const struct field *f = &cat->fields[i];
		const struct gen_def *d = g->sy->gen[i];

		if (!record_asked(g->r, f, g->fill))
			continue;
		if (d != NULL && d->fn(g, d, f) != 0)
			return lf_error_nomem(err);
		if (f->required && !g->r->set[i] && gen_default(g, f) != 0)
			return lf_error_nomem(err);
		if (d != NULL && d->group != G_NONE && is_yes(g->r, f))
			g->yes[d->group]++;
	}
	return 0;
}

int
synth_person(struct synth *sy, uint64_t index, int year, struct record *r,
    struct lf_error *err)
{
	struct ident founder, me;
	struct gctx g;

	if (r->cat != sy->cat)
		return lf_error_set(err, "bad_argument", "", "记录不属于该目录 "
		    "(record of another catalog)");
	if (index >= SYNTH_MAX_PERSONS)
		return lf_error_set(err, "bad_index", "", "人员编号过大 "
		    "(person index too large)");
	if (year < sy->first_year || year > sy->today_year)
		return lf_error_set(err, "bad_year", "", "年份应在 %d 到 %d "
		    "之间 (year must lie in %d..%d)", sy->first_year,
		    sy->today_year, sy->first_year, sy->today_year);
	sy->started = 1;
	record_clear(r);
	if (is_joiner(sy, index)) {
		if (ident_make(sy, index - 1, NULL, &founder, err) != 0 ||
		    ident_make(sy, index, &founder, &me, err) != 0)
			return -1;
	} else if (ident_make(sy, index, NULL, &me, err) != 0) {
		return -1;
	}
	memset(&g, 0, sizeof(g));
	g.sy = sy;
	g.r = r;
	g.me = &me;
	g.pk = me.pk;
	g.yk = hkey(me.pk ^ 0x7EA5, (uint64_t)year);
	g.year = year;
	year_model(&g);
	return walk(&g, err);
}
